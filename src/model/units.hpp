#pragma once
// Units of physical sizes: OME's symbols ("µm", "s"), which strata reports for every format,
// and the NGFF (UDUNITS-2) names OME-Zarr files use ("micrometer", "second").
#include <string>
#include <string_view>

namespace strata {

// The NGFF name of an OME symbol or spelling ("µm", "um", "micron" -> "micrometer"); other
// text unchanged.
std::string ngff_unit(std::string_view symbol);
// The OME symbol of an NGFF unit name ("micrometer" -> "µm"); other text unchanged.
std::string unit_symbol(std::string_view ngff_name);

}  // namespace strata
