// Particle propagation through an ensemble (PETS, Chua et al. 2018): which member steps which particle.
//
// A rollout keeps R = sequences x particles rows in canonical order (row i is particle i % P of sequence
// i / P). Before each model step the rows are grouped by member, as WorldModel's member_begin contract asks:
//  - TSinf: particle k uses member k % E for the whole horizon (with P a multiple of E every member gets
//    P / E particles; otherwise members 0 .. (P % E) - 1 get one more).
//  - TS1: every row draws a member uniformly at random at every step; sequence j's particles draw from
//    Rng(seed, StreamId({iteration, j, step})), so the draws depend neither on the chunking nor on the path.
//  - Expectation: no grouping; the model uses the mean of its members (empty member_begin).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace augur {

// Key of TS1's draws for one step of a block of sequences starting at `first_sequence`.
struct Ts1Key {
  uint64_t seed = 0;
  uint64_t iteration = 0;
  uint64_t step = 0;
  int64_t first_sequence = 0;
};

enum class Propagation { kTs1, kTsInf, kExpectation };

// "ts1", "tsinf", "expectation".
std::string_view PropagationName(Propagation propagation);
// Inverse of PropagationName; throws ConfigError listing the valid names.
Propagation ParsePropagation(std::string_view name);

// Groups `rows` canonical rows by member for one step: order[g] is the canonical row at grouped position g,
// member_begin[m] .. member_begin[m + 1] the grouped positions of member m. `member` [rows] is scratch
// (left holding each canonical row's member). key is used by TS1 only. Returns false for expectation (order
// is the identity and member_begin is not written: pass an empty member_begin to the model). No allocation.
bool GroupRows(Propagation propagation, int64_t rows, int64_t particles, int64_t members, const Ts1Key& key,
               std::span<int64_t> member, std::span<int64_t> order, std::span<int64_t> member_begin);

}  // namespace augur
