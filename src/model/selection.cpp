#include "strata/selection.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "strata/error.hpp"

namespace strata {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Error syntax_error(std::string_view item, const std::string& why) {
  return Error("", "invalid selection '" + std::string(item) + "': " + why);
}

std::optional<std::int64_t> parse_bound(std::string_view text, std::string_view item) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    throw syntax_error(item, "'" + std::string(text) + "' is not an integer");
  return v;
}

AxisSelection parse_item(std::string_view item) {
  auto eq = item.find('=');
  if (eq == std::string_view::npos) throw syntax_error(item, "expected AXIS=INDEX or AXIS=START:STOP");
  auto axis = trim(item.substr(0, eq));
  if (axis.size() != 1 || !std::isalpha(static_cast<unsigned char>(axis[0])))
    throw syntax_error(item, "an axis is one letter");
  AxisSelection a;
  a.axis = static_cast<char>(std::toupper(static_cast<unsigned char>(axis[0])));
  auto value = trim(item.substr(eq + 1));
  auto colon = value.find(':');
  if (colon == std::string_view::npos) {
    a.start = parse_bound(value, item);
    if (!a.start) throw syntax_error(item, "missing index");
    a.stop = *a.start + 1;
    a.is_index = true;
  } else {
    a.start = parse_bound(value.substr(0, colon), item);
    a.stop = parse_bound(value.substr(colon + 1), item);
  }
  return a;
}

}  // namespace

std::string Selection::to_string() const {
  std::string s;
  for (const auto& a : axes) {
    if (!s.empty()) s += ',';
    s += a.axis;
    s += '=';
    if (a.is_index) {
      s += std::to_string(*a.start);
      continue;
    }
    if (a.start) s += std::to_string(*a.start);
    s += ':';
    if (a.stop) s += std::to_string(*a.stop);
  }
  return s;
}

Selection parse_selection(std::string_view text) {
  Selection sel;
  text = trim(text);
  const std::string_view whole = text;
  if (text.empty()) return sel;
  while (true) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    AxisSelection a = parse_item(item);
    for (const auto& prev : sel.axes)
      if (prev.axis == a.axis) throw syntax_error(whole, "axis " + std::string(1, a.axis) + " is selected twice");
    sel.axes.push_back(a);
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  return sel;
}

Box resolve(const Selection& sel, std::string_view dims, const Shape& shape) {
  Box box = Box::whole(shape);
  for (const auto& a : sel.axes) {
    auto pos = dims.find(a.axis);
    if (pos == std::string_view::npos)
      throw Error("", "selection names axis " + std::string(1, a.axis) + ", but the array's axes are " +
                          std::string(dims));
    const std::int64_t len = shape[pos];
    auto wrap = [len](std::int64_t v) { return v < 0 ? v + len : v; };
    if (a.is_index) {
      std::int64_t i = wrap(*a.start);
      if (i < 0 || i >= len)
        throw Error("", "selection " + std::string(1, a.axis) + "=" + std::to_string(*a.start) +
                            " is out of range: axis " + std::string(1, a.axis) + " has length " +
                            std::to_string(len));
      box.start[pos] = i;
      box.stop[pos] = i + 1;
      continue;
    }
    // Ranges follow Python slicing: negative bounds count from the end, bounds clamp.
    std::int64_t start = std::clamp<std::int64_t>(a.start ? wrap(*a.start) : 0, 0, len);
    std::int64_t stop = std::clamp<std::int64_t>(a.stop ? wrap(*a.stop) : len, 0, len);
    if (start >= stop) {
      AxisSelection one = a;
      throw Error("", "selection " + Selection{{one}}.to_string() + " is empty (axis " +
                          std::string(1, a.axis) + " has length " + std::to_string(len) + ")");
    }
    box.start[pos] = start;
    box.stop[pos] = stop;
  }
  return box;
}

}  // namespace strata
