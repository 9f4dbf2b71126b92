#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "report.hpp"
#include "strata/strata.hpp"

namespace strata::cli {

int run_plan(const PlanOptions& options) {
  const auto driver = open_file(options.path, OpenOptions{options.level, options.allow_external});
  const ArrayInfo& info = driver->info();
  const Box selection = resolve(parse_selection(options.select), info.dims, info.shape);
  const Strategy strategy = parse_strategy(options.strategy);
  const Plan plan = make_plan(driver->chunks_for(selection), selection, size_of(info.dtype), options.ranks, strategy);

  if (options.json) {
    nlohmann::json per_rank = nlohmann::json::array();
    for (std::size_t r = 0; r < plan.ranks.size(); ++r) {
      const RankPlan& rp = plan.ranks[r];
      per_rank.push_back({{"rank", r},
                          {"chunks", rp.reads.size()},
                          {"stored_bytes", rp.stored_bytes},
                          {"decoded_bytes", rp.decoded_bytes},
                          {"cost", rp.cost}});
    }
    nlohmann::json out = {{"path", options.path},          {"ranks", options.ranks},
                          {"strategy", std::string(name(strategy))}, {"selection", selection.shape()},
                          {"chunks", plan.chunk_count()},  {"imbalance", plan.imbalance()},
                          {"per_rank", per_rank}};
    std::cout << out.dump() << '\n';
    return 0;
  }
  std::cout << options.path << ": " << plan.chunk_count() << " chunks of " << info.dims << ' '
            << format_shape(selection.shape()) << " over " << options.ranks << " ranks, strategy "
            << name(strategy) << '\n';
  std::printf("  %6s %8s %12s %12s\n", "rank", "chunks", "stored", "decoded");
  for (std::size_t r = 0; r < plan.ranks.size(); ++r) {
    const RankPlan& rp = plan.ranks[r];
    std::printf("  %6zu %8zu %12s %12s\n", r, rp.reads.size(), format_bytes(rp.stored_bytes).c_str(),
                format_bytes(rp.decoded_bytes).c_str());
  }
  std::printf("  imbalance (max/mean - 1): %.4f\n", plan.imbalance());
  return 0;
}

}  // namespace strata::cli
