#pragma once
// JSON forms of the model types, used to ship a driver's state from rank 0 to the others
// (as CBOR) and by drivers that keep extra per-file state. Internal to the library.
#include <nlohmann/json.hpp>

#include "strata/box.hpp"
#include "strata/chunk.hpp"
#include "strata/dtype.hpp"
#include "strata/info.hpp"

namespace strata {

void to_json(nlohmann::json& j, const Box& b);
void from_json(const nlohmann::json& j, Box& b);
void to_json(nlohmann::json& j, const ByteRange& r);
void from_json(const nlohmann::json& j, ByteRange& r);
void to_json(nlohmann::json& j, const ChunkRef& c);
void from_json(const nlohmann::json& j, ChunkRef& c);
void to_json(nlohmann::json& j, const ChunkTable& t);
void from_json(const nlohmann::json& j, ChunkTable& t);
void to_json(nlohmann::json& j, const PhysicalSize& p);
void from_json(const nlohmann::json& j, PhysicalSize& p);
void to_json(nlohmann::json& j, const ArrayInfo& a);
void from_json(const nlohmann::json& j, ArrayInfo& a);

// CBOR bytes of a JSON value and back; decoding errors become strata::Error.
std::string to_bytes(const nlohmann::json& j);
nlohmann::json from_bytes(std::string_view bytes);

}  // namespace strata
