#pragma once
// Named C++ functions that a declarative domain file refers to: reducer steps
// ({"op": "function", "name": "apply_discount"}), command deciders ("decide": "split_order") and
// receivers ({"function": "check_price"}). The file stays data; the code stays code.
//
//   core::function_registry fns;
//   fns.add_reducer("apply_discount", [](json& state, const core::event& e) { ... });
//   fns.add_pre_save("check_price", [](const core::pre_save_args& a) -> core::result<void> { ...
//   }); auto d = core::load_domain_file("shop/domain.json", fns);
//
// A name the file uses but the registry lacks is an errc::invalid_domain naming the pointer.
// Not thread-safe while being filled; read-only afterwards.

#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "esser/core/domain.hpp"
#include "esser/core/reducer.hpp"
#include "esser/core/signals.hpp"

namespace esser::core {

class function_registry {
public:
    function_registry& add_reducer(std::string name, reducer_fn fn) {
        reducers_[std::move(name)] = std::move(fn);
        return *this;
    }

    function_registry& add_decider(std::string name, decide_fn fn) {
        deciders_[std::move(name)] = std::move(fn);
        return *this;
    }

    // Receivers may return void or result<void> (see signals.hpp).
    template <class F>
    function_registry& add_received(std::string name, F&& fn) {
        received_[std::move(name)] = make_receiver<const command&>(std::forward<F>(fn));
        return *this;
    }

    template <class F>
    function_registry& add_pre_save(std::string name, F&& fn) {
        pre_save_[std::move(name)] = make_receiver<const pre_save_args&>(std::forward<F>(fn));
        return *this;
    }

    template <class F>
    function_registry& add_post_save(std::string name, F&& fn) {
        post_save_[std::move(name)] = make_receiver<const event&>(std::forward<F>(fn));
        return *this;
    }

    const reducer_fn* reducer(std::string_view name) const { return find(reducers_, name); }

    const decide_fn* decider(std::string_view name) const { return find(deciders_, name); }

    // Installs the receiver registered as `name` for `signal` ("received", "pre_save",
    // "post_save") into `target` with `filter`; false when there is none by that name.
    bool connect(std::string_view signal, std::string_view name, const sender_filter& filter,
                 signals& target) const;

    // Registered names of one kind ("reducer", "decider", "received", "pre_save",
    // "post_save"), for error messages.
    std::vector<std::string> names(std::string_view kind) const;

private:
    template <class M>
    static const typename M::mapped_type* find(const M& m, std::string_view name) {
        auto it = m.find(name);
        return it == m.end() ? nullptr : &it->second;
    }

    std::map<std::string, reducer_fn, std::less<>> reducers_;
    std::map<std::string, decide_fn, std::less<>> deciders_;
    std::map<std::string, received_fn, std::less<>> received_;
    std::map<std::string, pre_save_fn, std::less<>> pre_save_;
    std::map<std::string, post_save_fn, std::less<>> post_save_;
};

}  // namespace esser::core
