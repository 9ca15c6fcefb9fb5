// What the foreign-key KTable-KTable join sends between its two sides, in Kafka Streams'
// byte layouts so Java tools can read the subscription and response topics and the
// subscription store's changelog:
//   subscription (key: foreign key)  [version 1 | 0x80 if no hash][instruction]
//                                    [hash: 16 bytes, absent when null][primary key][partition: 4]
//   response (key: primary key)      [version 0 | 0x80 if no hash][hash: 16][foreign value]
//   subscription store key           [foreign key length: 4][foreign key][primary key]
// The hash is Murmur3 x64 128 (seed 104729, Kafka's) of the serialized left value the
// subscription was sent for; the left side drops responses whose hash no longer matches its
// current value, so a response overtaken by a newer update of the same key is never joined.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "streams/serde/serde.h"

namespace rill::streams::internal {

using ValueHash = std::array<uint64_t, 2>;

// Kafka Streams' Murmur3.hash128(bytes): MurmurHash3 x64 128-bit with seed 104729.
ValueHash Murmur3Hash128(std::string_view bytes, uint64_t seed = 104729);

// Kafka Streams' SubscriptionWrapper.Instruction, with its wire values.
enum class SubscriptionInstruction : uint8_t {
  kDeleteKeyNoPropagate = 0,            // unsubscribe, send nothing back
  kDeleteKeyAndPropagate = 1,           // unsubscribe, send back "no foreign value"
  kPropagateNullIfNoForeignValue = 2,   // subscribe, send back the foreign value or none
  kPropagateOnlyIfForeignValue = 3,     // subscribe, send back only an existing foreign value
};

template <class K>
struct Subscription {
  std::optional<ValueHash> hash;  // nullopt: the left value was deleted
  SubscriptionInstruction instruction = SubscriptionInstruction::kDeleteKeyNoPropagate;
  K primary_key;
  int32_t primary_partition = -1;
};

template <class VO>
struct SubscriptionResponse {
  std::optional<ValueHash> hash;
  std::optional<VO> foreign_value;
  // Not on the wire: the partition of the left record, where the response must go.
  int32_t primary_partition = -1;
};

namespace fk_wire {

// The first byte of both wrappers: the version, with 0x80 set when no hash follows.
inline char VersionByte(uint8_t version, bool has_hash) {
  return static_cast<char>(has_hash ? version : (version | 0x80));
}
void PutHash(std::string& out, const ValueHash& hash);  // two big-endian 64-bit words
// Takes the 16 hash bytes from the front of `bytes`; fails when fewer are left.
absl::StatusOr<ValueHash> TakeHash(std::string_view& bytes);
void PutInt32(std::string& out, int32_t v);
int32_t ReadInt32(std::string_view bytes);

// The subscription store's key, and the prefix under which all subscriptions of one
// foreign key lie.
std::string CombinedKeyPrefix(std::string_view foreign_key);
std::string CombinedKey(std::string_view foreign_key, std::string_view primary_key);
// The primary-key bytes of a combined key; fails when the key is shorter than its prefix.
absl::StatusOr<std::string_view> PrimaryKeyOf(std::string_view combined_key);

}  // namespace fk_wire

template <class K>
class SubscriptionSerdeImpl : public Serde<Subscription<K>>::Impl {
 public:
  explicit SubscriptionSerdeImpl(Serde<K> key_serde) : key_serde_(std::move(key_serde)) {}
  bool Serialize(const Subscription<K>& s, std::string& out) const override {
    out.push_back(fk_wire::VersionByte(1, s.hash.has_value()));
    out.push_back(static_cast<char>(s.instruction));
    if (s.hash) fk_wire::PutHash(out, *s.hash);
    key_serde_.serialize(s.primary_key, out);
    fk_wire::PutInt32(out, s.primary_partition);
    return true;
  }
  absl::StatusOr<Subscription<K>> Deserialize(std::optional<std::string_view> bytes) const override {
    if (!bytes || bytes->size() < 2) return absl::InvalidArgumentError("subscription too short");
    std::string_view view = *bytes;
    const uint8_t version = static_cast<uint8_t>(view[0]) & 0x7f;
    const bool has_hash = (static_cast<uint8_t>(view[0]) & 0x80) == 0;
    const uint8_t instruction = static_cast<uint8_t>(view[1]);
    view.remove_prefix(2);
    Subscription<K> s;
    if (has_hash) {
      auto hash = fk_wire::TakeHash(view);
      if (!hash.ok()) return hash.status();
      s.hash = *hash;
    }
    if (version > 1) {
      return absl::InvalidArgumentError("subscription version " + std::to_string(version) +
                                        " is newer than this reader (1)");
    }
    if (instruction > 3) {
      return absl::InvalidArgumentError("unknown subscription instruction " +
                                        std::to_string(instruction));
    }
    s.instruction = static_cast<SubscriptionInstruction>(instruction);
    if (version == 1) {
      if (view.size() < 4) return absl::InvalidArgumentError("subscription without partition");
      s.primary_partition = fk_wire::ReadInt32(view.substr(view.size() - 4));
      view.remove_suffix(4);
    }
    auto key = key_serde_.deserialize(view);
    if (!key.ok()) return key.status();
    s.primary_key = std::move(*key);
    return s;
  }

 private:
  Serde<K> key_serde_;
};

template <class VO>
class SubscriptionResponseSerdeImpl : public Serde<SubscriptionResponse<VO>>::Impl {
 public:
  explicit SubscriptionResponseSerdeImpl(Serde<VO> value_serde)
      : value_serde_(std::move(value_serde)) {}
  bool Serialize(const SubscriptionResponse<VO>& r, std::string& out) const override {
    out.push_back(fk_wire::VersionByte(0, r.hash.has_value()));
    if (r.hash) fk_wire::PutHash(out, *r.hash);
    if (r.foreign_value) value_serde_.serialize(*r.foreign_value, out);
    return true;
  }
  absl::StatusOr<SubscriptionResponse<VO>> Deserialize(
      std::optional<std::string_view> bytes) const override {
    if (!bytes || bytes->empty()) return absl::InvalidArgumentError("empty subscription response");
    std::string_view rest = *bytes;
    const uint8_t version = static_cast<uint8_t>(rest[0]) & 0x7f;
    const bool has_hash = (static_cast<uint8_t>(rest[0]) & 0x80) == 0;
    rest.remove_prefix(1);
    SubscriptionResponse<VO> r;
    if (has_hash) {
      auto hash = fk_wire::TakeHash(rest);
      if (!hash.ok()) return hash.status();
      r.hash = *hash;
    }
    if (version != 0) {
      return absl::InvalidArgumentError("subscription response version " +
                                        std::to_string(version) + " is not 0");
    }
    if (!rest.empty()) {
      auto v = value_serde_.deserialize(rest);
      if (!v.ok()) return v.status();
      r.foreign_value = std::move(*v);
    }
    return r;
  }

 private:
  Serde<VO> value_serde_;
};

}  // namespace rill::streams::internal
