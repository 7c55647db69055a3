#pragma once
// A small subset of C++23 std::expected, because g++ 12 ships none.
//
// Mirrors the std API we use (has_value, value, error, operator*, operator->, value_or,
// unexpected<E>) so that on a newer toolchain `expected` can become `std::expected` with no
// change at call sites. Not a general-purpose implementation: no monadic operations, no
// converting constructors between different expected types.
//
// Default-constructible on purpose: Boost 1.81's co_spawn default-constructs the awaitable's
// value type on its exception path, so result<T> needs a default state (see STYLE.md). The
// default state of expected<T, E> is the error E{} unless T is void-like; core::result<T> gives
// E a meaningful "unset" default.

#include <cassert>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace esser::core {

template <class E>
class unexpected {
public:
    explicit unexpected(E e) : error_(std::move(e)) {}

    const E& error() const& { return error_; }
    E& error() & { return error_; }
    E&& error() && { return std::move(error_); }

private:
    E error_;
};

template <class E>
unexpected(E) -> unexpected<E>;

// Thrown by value() on an expected holding an error: calling value() without checking is a
// broken invariant, not an expected failure.
class bad_expected_access : public std::logic_error {
public:
    bad_expected_access() : std::logic_error("expected::value() called on an error") {}
};

template <class T, class E>
class expected {
public:
    using value_type = T;
    using error_type = E;

    expected() : v_(std::in_place_index<1>, E{}) {}
    expected(const T& v) : v_(std::in_place_index<0>, v) {}
    expected(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}
    template <class G>
    expected(unexpected<G> u) : v_(std::in_place_index<1>, E(std::move(u).error())) {}
    template <class... Args>
    explicit expected(std::in_place_t, Args&&... args)
        : v_(std::in_place_index<0>, std::forward<Args>(args)...) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & {
        if (!has_value()) throw bad_expected_access();
        return std::get<0>(v_);
    }
    const T& value() const& {
        if (!has_value()) throw bad_expected_access();
        return std::get<0>(v_);
    }
    T&& value() && {
        if (!has_value()) throw bad_expected_access();
        return std::get<0>(std::move(v_));
    }

    T& operator*() & { return std::get<0>(v_); }
    const T& operator*() const& { return std::get<0>(v_); }
    T&& operator*() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }

    const E& error() const& {
        assert(!has_value());
        return std::get<1>(v_);
    }
    E& error() & {
        assert(!has_value());
        return std::get<1>(v_);
    }
    E&& error() && {
        assert(!has_value());
        return std::get<1>(std::move(v_));
    }

    template <class U>
    T value_or(U&& fallback) const& {
        return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
    }

private:
    std::variant<T, E> v_;
};

// expected<void, E>: success carries no value.
template <class E>
class expected<void, E> {
public:
    using value_type = void;
    using error_type = E;

    expected() = default;  // success
    template <class G>
    expected(unexpected<G> u) : error_(E(std::move(u).error())), ok_(false) {}

    bool has_value() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    void value() const {
        if (!ok_) throw bad_expected_access();
    }

    const E& error() const& {
        assert(!ok_);
        return error_;
    }
    E& error() & {
        assert(!ok_);
        return error_;
    }
    E&& error() && {
        assert(!ok_);
        return std::move(error_);
    }

private:
    E error_{};
    bool ok_ = true;
};

}  // namespace esser::core
