#include "formats/tiff/tiff_format.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "formats/tiff/tiff_chunks.hpp"
#include "formats/tiff/tiff_reader.hpp"
#include "formats/tiff/tiff_series.hpp"
#include "model/serialize.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

using tiff::TiffEncoding;

class TiffDriver final : public Driver {
 public:
  TiffDriver(ArrayInfo info, ChunkTable table, std::vector<TiffEncoding> encodings)
      : info_(std::move(info)), table_(std::move(table)), reader_(table_.files, std::move(encodings)) {}

  const ArrayInfo& info() const override { return info_; }
  const ChunkTable& chunks() const override { return table_; }

  std::string save() const override {
    return to_bytes(nlohmann::json{
        {"info", info_}, {"chunks", table_}, {"encodings", reader_.encodings()}});
  }

 private:
  void decode(const ChunkRef& chunk, const Box& region, const View& dest) const override {
    reader_.read(chunk, region, dest);
  }

  ArrayInfo info_;
  ChunkTable table_;
  tiff::TiffReader reader_;
};

bool has_tiff_magic(std::span<const std::byte> head) {
  static constexpr std::array<std::array<unsigned char, 4>, 4> kMagics{{
      {'I', 'I', 42, 0}, {'M', 'M', 0, 42},  // classic TIFF
      {'I', 'I', 43, 0}, {'M', 'M', 0, 43},  // BigTIFF
  }};
  if (head.size() < 4) return false;
  return std::any_of(kMagics.begin(), kMagics.end(),
                     [&](const auto& magic) { return std::memcmp(head.data(), magic.data(), 4) == 0; });
}

bool recognizes(const std::string& path, std::span<const std::byte> head) {
  return has_tiff_magic(head) || tiff::is_ome_companion_path(path);
}

std::unique_ptr<Driver> open(const std::string& path, const OpenOptions& options) {
  tiff::TiffSeries series = tiff::read_tiff_series(path);
  if (options.level > 0) tiff::select_level(series, options.level);
  tiff::TiffChunks chunks = tiff::build_chunk_table(series);
  return std::make_unique<TiffDriver>(std::move(series.info), std::move(chunks.table),
                                      std::move(chunks.encodings));
}

std::unique_ptr<Driver> restore(std::string_view saved) {
  const nlohmann::json j = from_bytes(saved);
  try {
    return std::make_unique<TiffDriver>(j.at("info").get<ArrayInfo>(), j.at("chunks").get<ChunkTable>(),
                                        j.at("encodings").get<std::vector<TiffEncoding>>());
  } catch (const nlohmann::json::exception& e) {
    throw Error("", std::string("TIFF driver state is corrupt: ") + e.what());
  }
}

}  // namespace

const Format& tiff_format() {
  static const Format format{"tiff", recognizes, open, restore, &ome_tiff_writer()};
  return format;
}

}  // namespace strata
