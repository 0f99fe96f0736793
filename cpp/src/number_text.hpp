// Numbers in error messages (private to the core's sources).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace magpk {

// The shortest decimal that reads back as `value`: a message shows what was set
// (1.0000000000000002, not 1.000000) and limits as written (110, not 110.000000).
inline std::string shortest_text(double value) {
  char text[32];
  for (int digits = 6; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

}  // namespace magpk
