// Smoke test: proves the Eigen and Boost.Odeint headers are found and usable.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <boost/numeric/odeint.hpp>

#include <cmath>
#include <vector>

TEST(Smoke, EigenIsAvailable) {
    Eigen::Matrix2d a;
    a << 2.0, 0.0, 0.0, 4.0;
    const Eigen::Vector2d b(2.0, 8.0);
    const Eigen::Vector2d x = a.partialPivLu().solve(b);
    EXPECT_NEAR(x(0), 1.0, 1e-12);
    EXPECT_NEAR(x(1), 2.0, 1e-12);
}

TEST(Smoke, OdeintDopri5ExponentialDecay) {
    namespace odeint = boost::numeric::odeint;
    using state_type = std::vector<double>;

    state_type x{1.0};
    const auto rhs = [](const state_type& s, state_type& dsdt, double /*t*/) {
        dsdt[0] = -s[0];
    };
    auto stepper = odeint::make_controlled<odeint::runge_kutta_dopri5<state_type>>(1e-12, 1e-12);
    // integrate_adaptive ends exactly at t = 1.
    odeint::integrate_adaptive(stepper, rhs, x, 0.0, 1.0, 0.01);

    EXPECT_NEAR(x[0], std::exp(-1.0), 1e-6);
}
