// codecritique's harness library: reading the arguments (JSON values on stdin) and writing the return value (JSON
// on fd 3). Compiled once per flag set into an object file that every harness program links, so that a solution's
// compile pays only for the thin typed layer in cpp_harness_runtime.h. Its interface is declared there.
#include <bits/stdc++.h>

namespace __cc {

struct Json {
    enum Kind { Null, Bool, Num, Str, Arr } kind = Null;
    bool b = false;
    std::string text;  // a number's literal, or a string's value
    std::vector<Json> items;
};

[[noreturn]] void die(int code, const char *why) {
    std::fflush(stdout);
    std::fprintf(stderr, "codecritique harness: %s\n", why);
    std::fflush(stderr);
    std::_Exit(code);
}

namespace {

struct Parser {
    const std::string &s;
    size_t i = 0;

    [[noreturn]] void fail(const char *what) { die(2, (std::string("invalid argument JSON: ") + what).c_str()); }
    void ws() {
        while (i < s.size() && std::isspace((unsigned char)s[i])) ++i;
    }
    bool more() {
        ws();
        return i < s.size();
    }
    bool lit(const char *w) {
        size_t n = std::strlen(w);
        if (s.compare(i, n, w) != 0) return false;
        i += n;
        return true;
    }
    Json value() {
        ws();
        if (i >= s.size()) fail("unexpected end");
        Json v;
        char c = s[i];
        if (c == '[') {
            v.kind = Json::Arr;
            ++i;
            ws();
            if (i < s.size() && s[i] == ']') {
                ++i;
                return v;
            }
            while (true) {
                v.items.push_back(value());
                ws();
                if (i < s.size() && s[i] == ',') { ++i; continue; }
                if (i < s.size() && s[i] == ']') { ++i; return v; }
                fail("expected , or ]");
            }
        }
        if (c == '"') {
            v.kind = Json::Str;
            v.text = str();
            return v;
        }
        if (lit("true")) { v.kind = Json::Bool; v.b = true; return v; }
        if (lit("false")) { v.kind = Json::Bool; return v; }
        if (lit("null")) return v;
        size_t start = i;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
        while (i < s.size() && (std::isdigit((unsigned char)s[i]) || std::strchr(".eE+-", s[i]))) ++i;
        if (i == start) fail("unexpected character");
        v.kind = Json::Num;
        v.text = s.substr(start, i - start);
        return v;
    }
    static void utf8(std::string &out, unsigned cp) {
        if (cp < 0x80) out += (char)cp;
        else if (cp < 0x800) { out += (char)(0xC0 | cp >> 6); out += (char)(0x80 | (cp & 0x3F)); }
        else if (cp < 0x10000) {
            out += (char)(0xE0 | cp >> 12); out += (char)(0x80 | (cp >> 6 & 0x3F)); out += (char)(0x80 | (cp & 0x3F));
        } else {
            out += (char)(0xF0 | cp >> 18); out += (char)(0x80 | (cp >> 12 & 0x3F));
            out += (char)(0x80 | (cp >> 6 & 0x3F)); out += (char)(0x80 | (cp & 0x3F));
        }
    }
    unsigned hex4() {
        if (i + 4 > s.size()) fail("bad \\u escape");
        unsigned cp = (unsigned)std::stoul(s.substr(i, 4), nullptr, 16);
        i += 4;
        return cp;
    }
    std::string str() {
        std::string out;
        ++i;  // opening quote
        while (true) {
            if (i >= s.size()) fail("unterminated string");
            char c = s[i++];
            if (c == '"') return out;
            if (c != '\\') { out += c; continue; }
            if (i >= s.size()) fail("bad escape");
            char e = s[i++];
            switch (e) {
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'u': {
                    unsigned cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00 && s.compare(i, 2, "\\u") == 0) {
                        i += 2;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4() - 0xDC00);
                    }
                    utf8(out, cp);
                    break;
                }
                default: out += e;  // \" \\ \/
            }
        }
    }
};

const char *kind_name(const Json *j) {
    static const char *names[] = {"null", "a boolean", "a number", "a string", "an array"};
    return names[j->kind];
}

[[noreturn]] void mismatch(const char *expected, const Json *j) {
    die(2, (std::string("expected ") + expected + ", got " + kind_name(j)).c_str());
}

std::string out;  // the JSON being written

}  // namespace

const Json *read_args(size_t expected) {
    static std::string input;
    static Json args;
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) input.append(buf, n);
    Parser p{input};
    args.kind = Json::Arr;
    while (p.more()) args.items.push_back(p.value());
    if (args.items.size() != expected)
        die(2, ("expected " + std::to_string(expected) + " arguments, got " + std::to_string(args.items.size()))
                   .c_str());
    return &args;
}

bool is_null(const Json *j) { return j->kind == Json::Null; }

size_t array_size(const Json *j) {
    if (j->kind != Json::Arr) mismatch("an array", j);
    return j->items.size();
}

const Json *array_item(const Json *j, size_t k) { return &j->items[k]; }

long long to_ll(const Json *j) {
    if (j->kind == Json::Bool) return j->b;
    if (j->kind != Json::Num) mismatch("an integer", j);
    if (j->text.find_first_of(".eE") != std::string::npos) return (long long)std::strtod(j->text.c_str(), nullptr);
    return std::strtoll(j->text.c_str(), nullptr, 10);
}

unsigned long long to_ull(const Json *j) {
    if (j->kind == Json::Num && j->text.find_first_of(".eE-") == std::string::npos)
        return std::strtoull(j->text.c_str(), nullptr, 10);
    return (unsigned long long)to_ll(j);
}

double to_double(const Json *j) {
    if (j->kind != Json::Num) mismatch("a number", j);
    return std::strtod(j->text.c_str(), nullptr);
}

bool to_bool(const Json *j) {
    if (j->kind == Json::Num) return std::strtod(j->text.c_str(), nullptr) != 0;
    if (j->kind != Json::Bool) mismatch("a boolean", j);
    return j->b;
}

const std::string &to_text(const Json *j) {
    if (j->kind != Json::Str) mismatch("a string", j);
    return j->text;
}

char to_char(const Json *j) {
    if (j->kind != Json::Str || j->text.size() != 1) mismatch("a one-character string", j);
    return j->text[0];
}

void put_raw(const char *s) { out += s; }

void put_ll(long long v) { out += std::to_string(v); }

void put_ull(unsigned long long v) { out += std::to_string(v); }

void put_double(double v) {
    if (std::isnan(v)) { out += "NaN"; return; }
    if (std::isinf(v)) { out += v > 0 ? "Infinity" : "-Infinity"; return; }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    out += buf;
}

void put_string(const char *data, size_t size) {
    out += '"';
    for (size_t k = 0; k < size; ++k) {
        unsigned char c = (unsigned char)data[k];
        if (c == '"') out += "\\\"";
        else if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\r') out += "\\r";
        else if (c < 0x20) { char buf[8]; std::snprintf(buf, sizeof buf, "\\u%04x", c); out += buf; }
        else out += (char)c;
    }
    out += '"';
}

// The result goes to fd 3 (the judge's result channel) when it is open, else to stdout (a run by hand).
void finish() {
    std::fflush(stdout);
    FILE *f = fdopen(3, "wb");
    if (!f) f = stdout;
    std::fwrite(out.data(), 1, out.size(), f);
    std::fflush(f);
}

}  // namespace __cc
