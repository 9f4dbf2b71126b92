#include "formats/npy/npy_header.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "strata/error.hpp"

namespace strata::npy {
namespace {

// One Python literal of the kinds ast.literal_eval returns for a .npy header.
struct Literal {
  enum class Kind { string, boolean, none, integer, tuple, list, dict };
  Kind kind = Kind::none;
  std::string text;                     // string: its value
  bool flag = false;                    // boolean
  std::optional<std::int64_t> integer;  // integer: empty when past int64
  std::vector<Literal> items;           // tuple, list; dict: key, value, key, value, ...
  std::string_view source;              // as written
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || is_digit(c); }

int digit_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

class Parser {
 public:
  Parser(std::string_view text, bool python2_longs) : s_(text), longs_(python2_longs) {}

  Literal document() {
    Literal v = value(0);
    skip_space();
    if (pos_ != s_.size()) fail("text after the dict");
    return v;
  }

 private:
  // The header is bounded (the reader refuses more than 16 MiB) but may nest brackets deeply.
  static constexpr int kMaxDepth = 32;

  [[noreturn]] void fail(const std::string& what) const {
    throw Error("", "the .npy header is not a Python literal NumPy reads: " + what + " at character " +
                        std::to_string(pos_));
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r' ||
                                s_[pos_] == '\f' || s_[pos_] == '\v'))
      ++pos_;
  }
  bool eat(char c) {
    skip_space();
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  Literal value(int depth) {
    if (depth > kMaxDepth) fail("brackets nested more than " + std::to_string(kMaxDepth) + " deep");
    skip_space();
    const std::size_t start = pos_;
    const char c = peek();
    Literal v;
    if (c == '{') v = sequence(depth, '}', Literal::Kind::dict);
    else if (c == '[') v = sequence(depth, ']', Literal::Kind::list);
    else if (c == '(') v = sequence(depth, ')', Literal::Kind::tuple);
    else if (c == '\'' || c == '"') v = string(false);
    else if (c == '+' || c == '-' || is_digit(c)) v = integer();
    else if (is_name(c)) v = name();
    else fail(pos_ < s_.size() ? std::string("unexpected '") + c + "'" : "the text ends early");
    v.source = s_.substr(start, pos_ - start);
    return v;
  }

  // {k: v, ...}, [a, ...], (a, ...); "(a)" without a comma is a, as in Python.
  Literal sequence(int depth, char close, Literal::Kind kind) {
    ++pos_;
    Literal v;
    v.kind = kind;
    bool comma = false;
    while (!eat(close)) {
      if (!v.items.empty() && !comma) fail(std::string("expected ',' or '") + close + "'");
      v.items.push_back(value(depth + 1));
      if (kind == Literal::Kind::dict) {
        if (!eat(':')) fail("expected ':'");
        v.items.push_back(value(depth + 1));
      }
      comma = eat(',');
    }
    if (kind == Literal::Kind::tuple && v.items.size() == 1 && !comma) return std::move(v.items.front());
    return v;
  }

  // 'text' or "text", optionally u/b/r-prefixed; escapes as Python reads them.
  Literal string(bool raw) {
    const char quote = s_[pos_++];
    Literal v;
    v.kind = Literal::Kind::string;
    for (;;) {
      if (pos_ >= s_.size() || s_[pos_] == '\n') fail("a string that does not end");
      const char c = s_[pos_++];
      if (c == quote) return v;
      if (c != '\\' || raw) {
        v.text += c;
        continue;
      }
      if (pos_ >= s_.size()) fail("a string that does not end");
      const char e = s_[pos_++];
      switch (e) {
        case 'n': v.text += '\n'; break;
        case 't': v.text += '\t'; break;
        case 'r': v.text += '\r'; break;
        case '\\': case '\'': case '"': v.text += e; break;
        default: v.text += '\\'; v.text += e;  // Python keeps unknown escapes as written
      }
    }
  }

  // True, False, None, or a prefixed string (u'', b'', r'').
  Literal name() {
    const std::size_t start = pos_;
    while (is_name(peek())) ++pos_;
    const std::string_view word = s_.substr(start, pos_ - start);
    if ((peek() == '\'' || peek() == '"') && (word == "u" || word == "b" || word == "r" || word == "U" ||
                                              word == "B" || word == "R" || word == "br" || word == "rb"))
      return string(word.find_first_of("rR") != std::string_view::npos);
    Literal v;
    if (word == "True" || word == "False") {
      v.kind = Literal::Kind::boolean;
      v.flag = word == "True";
    } else if (word != "None") {
      pos_ = start;
      fail("the name '" + std::string(word) + "'");
    }
    return v;
  }

  // [+-]* then 123, 1_000, 0x1F, 0o17, 0b101 (and 123L in Python 2 headers).
  Literal integer() {
    bool negative = false;
    while (peek() == '+' || peek() == '-') {
      negative ^= s_[pos_++] == '-';
      skip_space();
    }
    if (!is_digit(peek())) fail("a sign without a number");
    int base = 10;
    const std::size_t first = pos_;
    if (peek() == '0' && pos_ + 1 < s_.size()) {
      const char p = s_[pos_ + 1];
      base = p == 'x' || p == 'X' ? 16 : p == 'o' || p == 'O' ? 8 : p == 'b' || p == 'B' ? 2 : 10;
      if (base != 10) pos_ += 2;
    }
    std::uint64_t magnitude = 0;
    bool digits = false, leading_zero = base == 10 && peek() == '0', nonzero = false, overflow = false;
    while (is_name(peek())) {
      const char c = s_[pos_];
      if (c == '_') {
        // One underscore between digits (after a base prefix too).
        if (pos_ + 1 >= s_.size() || digit_value(s_[pos_ + 1]) >= base) fail("a misplaced '_' in a number");
        ++pos_;
        continue;
      }
      if ((c == 'L' || c == 'l') && longs_ && digits && !is_name(pos_ + 1 < s_.size() ? s_[pos_ + 1] : '\0')) {
        ++pos_;
        break;
      }
      const int d = digit_value(c);
      if (d >= base) fail("a number that is not a whole number");
      digits = true;
      nonzero |= d != 0;
      const auto b = static_cast<std::uint64_t>(base), digit = static_cast<std::uint64_t>(d);
      if (magnitude > (std::numeric_limits<std::uint64_t>::max() - digit) / b) overflow = true;
      if (!overflow) magnitude = magnitude * b + digit;
      ++pos_;
    }
    if (!digits) fail("a number without digits");
    if (peek() == '.') fail("a number that is not a whole number");
    if (leading_zero && nonzero && pos_ - first > 1) fail("a decimal number with a leading zero");
    Literal v;
    v.kind = Literal::Kind::integer;
    const auto most = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (!overflow && magnitude <= most)
      v.integer = negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
    return v;
  }

  std::string_view s_;
  bool longs_;
  std::size_t pos_ = 0;
};

}  // namespace

HeaderDict parse_header_dict(std::string_view text, bool python2_longs) {
  const Literal dict = Parser(text, python2_longs).document();
  if (dict.kind != Literal::Kind::dict) throw Error("", "the .npy header is not a dict");
  const Literal *descr = nullptr, *order = nullptr, *shape = nullptr;
  for (std::size_t i = 0; i < dict.items.size(); i += 2) {  // a repeated key: the last wins
    const Literal& key = dict.items[i];
    const Literal* value = &dict.items[i + 1];
    if (key.kind == Literal::Kind::string && key.text == "descr") descr = value;
    else if (key.kind == Literal::Kind::string && key.text == "fortran_order") order = value;
    else if (key.kind == Literal::Kind::string && key.text == "shape") shape = value;
    else
      throw Error("", "the .npy header has the key " + std::string(key.source) +
                          ": NumPy reads headers of exactly 'descr', 'fortran_order' and 'shape'");
  }
  for (const auto& [found, name] : {std::pair{descr, "descr"}, {order, "fortran_order"}, {shape, "shape"}})
    if (!found) throw Error("", std::string("the .npy header has no '") + name + "'");

  HeaderDict h;
  if (descr->kind == Literal::Kind::list) throw Error("", "structured dtypes are not supported (the .npy header's descr is a list)");
  if (descr->kind != Literal::Kind::string) throw Error("", "the .npy header's descr " + std::string(descr->source) + " is not a string");
  h.descr = descr->text;
  if (order->kind != Literal::Kind::boolean)
    throw Error("", "the .npy header's fortran_order " + std::string(order->source) + " is not True or False");
  h.fortran_order = order->flag;
  if (shape->kind != Literal::Kind::tuple)
    throw Error("", "the .npy header's shape " + std::string(shape->source) + " is not a tuple");
  for (const Literal& extent : shape->items) {
    if (extent.kind != Literal::Kind::integer || !extent.integer || *extent.integer < 0)
      throw Error("", "the .npy header's shape " + std::string(shape->source) + " holds \"" +
                          std::string(extent.source) + "\", not a size");
    h.shape.push_back(*extent.integer);
  }
  return h;
}

}  // namespace strata::npy
