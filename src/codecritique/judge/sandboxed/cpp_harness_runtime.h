// codecritique's LeetCode-style C++ harness runtime. cpp_harness.py pastes this file after
// "#include <bits/stdc++.h>\nusing namespace std;\n" and before the solution, so that the solution sees LeetCode's
// ListNode / TreeNode and no macro of the solution can reach this code. Sections:
//   CC_LIST, CC_TREE  LeetCode's node types (only when the signature uses them: a solution may define its own)
//   CC_JSON           our harness: arguments as JSON values on stdin, the return value as JSON on fd 3; the
//                     program links cpp_harness_runtime.cpp (compiled once), which parses and prints the JSON
//   CC_LITERAL        the LiveCodeBench-CPP style: literal arguments and an in-program comparison
// Everything of ours lives in namespace __cc.
#ifdef CC_LIST
struct ListNode {
    int val;
    ListNode *next;
    ListNode() : val(0), next(nullptr) {}
    ListNode(int x) : val(x), next(nullptr) {}
    ListNode(int x, ListNode *next) : val(x), next(next) {}
};
#endif
#ifdef CC_TREE
struct TreeNode {
    int val;
    TreeNode *left;
    TreeNode *right;
    TreeNode() : val(0), left(nullptr), right(nullptr) {}
    TreeNode(int x) : val(x), left(nullptr), right(nullptr) {}
    TreeNode(int x, TreeNode *left, TreeNode *right) : val(x), left(left), right(right) {}
};
#endif

namespace __cc {

const size_t MAX_NODES = 4000000;  // a returned list or tree larger than this is taken to have a cycle

[[noreturn]] void die(int code, const char *why);  // in cpp_harness_runtime.cpp, or below

#ifdef CC_LIST
inline ListNode *make_list(const std::vector<int> &v) {
    ListNode *head = nullptr, **tail = &head;
    for (int x : v) {
        *tail = new ListNode(x);
        tail = &(*tail)->next;
    }
    return head;
}
inline std::vector<int> list_values(ListNode *p) {
    std::vector<int> out;
    for (; p; p = p->next) {
        if (out.size() >= MAX_NODES) die(3, "the returned list does not end (a cycle?)");
        out.push_back(p->val);
    }
    return out;
}
#endif

#ifdef CC_TREE
// LeetCode's level order: children of each non-null node in turn, null for a missing child.
inline TreeNode *make_tree(const std::vector<std::optional<int>> &v) {
    if (v.empty() || !v[0]) return nullptr;
    TreeNode *root = new TreeNode(*v[0]);
    std::deque<TreeNode *> q{root};
    size_t i = 1;
    while (!q.empty() && i < v.size()) {
        TreeNode *n = q.front();
        q.pop_front();
        if (i < v.size() && v[i]) q.push_back(n->left = new TreeNode(*v[i]));
        ++i;
        if (i < v.size() && v[i]) q.push_back(n->right = new TreeNode(*v[i]));
        ++i;
    }
    return root;
}
inline std::vector<std::optional<int>> tree_values(TreeNode *root) {
    std::vector<std::optional<int>> out;
    std::deque<TreeNode *> q{root};
    while (!q.empty()) {
        if (out.size() >= MAX_NODES) die(3, "the returned tree is too large (a cycle?)");
        TreeNode *n = q.front();
        q.pop_front();
        if (!n) {
            out.push_back(std::nullopt);
            continue;
        }
        out.push_back(n->val);
        q.push_back(n->left);
        q.push_back(n->right);
    }
    while (!out.empty() && !out.back()) out.pop_back();
    return out;
}
#endif

#ifdef CC_JSON
// ---------------------------------------------------------------- JSON values in and out
// The parsing and printing live in cpp_harness_runtime.cpp (compiled once, linked in); here only the typed layer.

struct Json;
const Json *read_args(size_t expected);  // stdin: exactly `expected` JSON values, as an array
bool is_null(const Json *j);
size_t array_size(const Json *j);
const Json *array_item(const Json *j, size_t k);
long long to_ll(const Json *j);
unsigned long long to_ull(const Json *j);
double to_double(const Json *j);
bool to_bool(const Json *j);
const std::string &to_text(const Json *j);
char to_char(const Json *j);
void put_raw(const char *s);
void put_ll(long long v);
void put_ull(unsigned long long v);
void put_double(double v);
void put_string(const char *data, size_t size);
void finish();  // write what was put to fd 3 (stdout when fd 3 is not open)

template <class T, class = void>
struct Conv {
    static_assert(sizeof(T) == 0, "codecritique harness: this parameter or return type is not a LeetCode type "
                                  "(int, long long, double, bool, char, string, vector, ListNode*, TreeNode*)");
};

template <class T>
struct Conv<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>>> {
    static T from(const Json *j) {
        if constexpr (std::is_signed_v<T>) return (T)to_ll(j);
        else return (T)to_ull(j);
    }
    static void to(T v) {
        if constexpr (std::is_signed_v<T>) put_ll(v);
        else put_ull(v);
    }
};

template <class T>
struct Conv<T, std::enable_if_t<std::is_floating_point_v<T>>> {
    static T from(const Json *j) { return (T)to_double(j); }
    static void to(T v) { put_double((double)v); }
};

template <>
struct Conv<bool> {
    static bool from(const Json *j) { return to_bool(j); }
    static void to(bool v) { put_raw(v ? "true" : "false"); }
};

template <>
struct Conv<char> {
    static char from(const Json *j) { return to_char(j); }
    static void to(char c) { put_string(&c, 1); }
};

template <>
struct Conv<std::string> {
    static std::string from(const Json *j) { return to_text(j); }
    static void to(const std::string &v) { put_string(v.data(), v.size()); }
};

template <class T>
struct Conv<std::vector<T>> {
    static std::vector<T> from(const Json *j) {
        size_t n = array_size(j);
        std::vector<T> v;
        v.reserve(n);
        for (size_t k = 0; k < n; ++k) v.push_back(Conv<T>::from(array_item(j, k)));
        return v;
    }
    static void to(const std::vector<T> &v) {
        put_raw("[");
        for (size_t k = 0; k < v.size(); ++k) {
            if (k) put_raw(",");
            Conv<T>::to(v[k]);
        }
        put_raw("]");
    }
};

#ifdef CC_LIST
template <>
struct Conv<ListNode *> {
    static ListNode *from(const Json *j) { return is_null(j) ? nullptr : make_list(Conv<std::vector<int>>::from(j)); }
    static void to(ListNode *p) { Conv<std::vector<int>>::to(list_values(p)); }
};
#endif

#ifdef CC_TREE
template <>
struct Conv<TreeNode *> {
    static TreeNode *from(const Json *j) {
        if (is_null(j)) return nullptr;
        size_t n = array_size(j);
        std::vector<std::optional<int>> v(n);
        for (size_t k = 0; k < n; ++k)
            if (!is_null(array_item(j, k))) v[k] = (int)to_ll(array_item(j, k));
        return make_tree(v);
    }
    static void to(TreeNode *root) {
        auto v = tree_values(root);
        put_raw("[");
        for (size_t k = 0; k < v.size(); ++k) {
            if (k) put_raw(",");
            if (v[k]) put_ll(*v[k]);
            else put_raw("null");
        }
        put_raw("]");
    }
};
#endif

template <class T>
using D = std::decay_t<T>;

template <class... T, size_t... I>
std::tuple<T...> parse_args(const Json *args, std::index_sequence<I...>) {
    return std::tuple<T...>{Conv<T>::from(array_item(args, I))...};
}

// One test: parse the arguments, call on a fresh Solution, write the return value (for a void method, LeetCode's
// in-place convention: the first argument after the call).
template <class R, class... A, class Call>
int run_call(Call call) {
    auto args = parse_args<D<A>...>(read_args(sizeof...(A)), std::index_sequence_for<A...>{});
    if constexpr (std::is_void_v<R>) {
        static_assert(sizeof...(A) > 0, "codecritique harness: a void method without parameters returns nothing");
        std::apply(call, args);
        Conv<D<std::tuple_element_t<0, std::tuple<D<A>...>>>>::to(std::get<0>(args));
    } else {
        auto &&r = std::apply(call, args);
        Conv<D<R>>::to(r);
    }
    finish();
    return 0;
}

template <class C, class R, class... A>
int run(R (C::*m)(A...)) {
    return run_call<R, A...>([m](auto &...a) -> R { return ((new C())->*m)(a...); });
}
template <class C, class R, class... A>
int run(R (C::*m)(A...) const) {
    return run_call<R, A...>([m](auto &...a) -> R { return ((new C())->*m)(a...); });
}
template <class R, class... A>
int run(R (*f)(A...)) {
    return run_call<R, A...>([f](auto &...a) -> R { return f(a...); });
}
#endif  // CC_JSON

#ifdef CC_LITERAL
// ---------------------------------------------------------------- comparisons of the LiveCodeBench-CPP style

[[noreturn]] void die(int code, const char *why) {
    std::fprintf(stderr, "codecritique harness: %s\n", why);
    std::_Exit(code);
}

// (declared first: the templates below find them for vectors of nodes)
#ifdef CC_LIST
inline bool eq(ListNode *a, ListNode *b) { return list_values(a) == list_values(b); }
#endif
#ifdef CC_TREE
inline bool eq(TreeNode *a, TreeNode *b) { return tree_values(a) == tree_values(b); }
#endif
template <class A, class B>
bool eq(const A &a, const B &b) {
    if constexpr (std::is_floating_point_v<A> || std::is_floating_point_v<B>) {
        double x = (double)a, y = (double)b;
        if (std::isnan(x) || std::isnan(y)) return false;
        if (std::isinf(x) || std::isinf(y)) return x == y;
        return std::fabs(x - y) <= 1e-6 * std::max(1.0, std::fabs(y));
    } else {
        return a == b;
    }
}
template <class A, class B>
bool eq(const std::vector<A> &a, const std::vector<B> &b) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); ++k)
        if (!eq((A)a[k], (B)b[k])) return false;
    return true;
}
#endif  // CC_LITERAL

}  // namespace __cc
