#include "model/units.hpp"

#include <utility>

namespace strata {
namespace {

// OME's unit symbols (UnitsLength, UnitsTime) and other spellings of µm, with their NGFF names.
constexpr std::pair<std::string_view, std::string_view> kNgffUnits[]{
    {"Ym", "yottameter"}, {"Zm", "zettameter"}, {"Em", "exameter"}, {"Pm", "petameter"},
    {"Tm", "terameter"}, {"Gm", "gigameter"}, {"Mm", "megameter"}, {"km", "kilometer"},
    {"hm", "hectometer"}, {"m", "meter"}, {"dm", "decimeter"}, {"cm", "centimeter"},
    {"mm", "millimeter"}, {"\u00b5m", "micrometer"}, {"\u03bcm", "micrometer"}, {"um", "micrometer"},
    {"micron", "micrometer"}, {"nm", "nanometer"}, {"pm", "picometer"}, {"fm", "femtometer"},
    {"am", "attometer"}, {"zm", "zeptometer"}, {"ym", "yoctometer"}, {"\u00c5", "angstrom"},
    {"in", "inch"}, {"ft", "foot"}, {"yd", "yard"}, {"mi", "mile"}, {"pc", "parsec"},
    {"Ys", "yottasecond"}, {"Zs", "zettasecond"}, {"Es", "exasecond"}, {"Ps", "petasecond"},
    {"Ts", "terasecond"}, {"Gs", "gigasecond"}, {"Ms", "megasecond"}, {"ks", "kilosecond"},
    {"hs", "hectosecond"}, {"s", "second"}, {"ds", "decisecond"}, {"cs", "centisecond"},
    {"ms", "millisecond"}, {"\u00b5s", "microsecond"}, {"ns", "nanosecond"}, {"ps", "picosecond"},
    {"fs", "femtosecond"}, {"as", "attosecond"}, {"zs", "zeptosecond"}, {"ys", "yoctosecond"},
    {"min", "minute"}, {"h", "hour"}, {"d", "day"},
};

}  // namespace

std::string ngff_unit(std::string_view symbol) {
  for (const auto& [ome, ngff] : kNgffUnits)
    if (ome == symbol) return std::string(ngff);
  return std::string(symbol);
}

std::string unit_symbol(std::string_view ngff_name) {
  for (const auto& [ome, ngff] : kNgffUnits)  // the first symbol listed is OME's own
    if (ngff == ngff_name) return std::string(ome);
  return std::string(ngff_name);
}

}  // namespace strata
