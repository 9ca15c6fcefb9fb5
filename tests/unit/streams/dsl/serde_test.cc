// Serdes: byte compatibility with Kafka's Java serializers (IntegerSerializer,
// LongSerializer, DoubleSerializer, FloatSerializer, StringSerializer), null handling,
// Nullable, Json, Protobuf, and errors for malformed bytes.
#include "streams/serde/serde.h"

#include <cmath>
#include <limits>

#include "gmock/gmock.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"

namespace rill::streams {
namespace {

using ::testing::HasSubstr;

// The bytes `serde` writes for `value` (empty optional: it wrote a null).
template <class T>
std::optional<std::string> Bytes(const Serde<T>& serde, const T& value) {
  std::string out;
  if (!serde.serialize(value, out)) return std::nullopt;
  return out;
}

std::string Hex(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(SerdeTest, Int64MatchesJavaLongSerializer) {
  Serde<int64_t> s = Serdes::Long();
  EXPECT_EQ(Bytes(s, int64_t{1}), Hex({0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(Bytes(s, int64_t{0}), Hex({0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Bytes(s, int64_t{-1}), Hex({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Bytes(s, int64_t{0x0102030405060708}), Hex({1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(Bytes(s, std::numeric_limits<int64_t>::min()), Hex({0x80, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(*s.deserialize(Hex({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe})), -2);
  EXPECT_EQ(*s.deserialize(Hex({0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})),
            std::numeric_limits<int64_t>::max());
}

TEST(SerdeTest, Int32MatchesJavaIntegerSerializer) {
  Serde<int32_t> s = Serdes::Int32();
  EXPECT_EQ(Bytes(s, int32_t{1}), Hex({0, 0, 0, 1}));
  EXPECT_EQ(Bytes(s, int32_t{-1}), Hex({0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Bytes(s, int32_t{0x01020304}), Hex({1, 2, 3, 4}));
  EXPECT_EQ(Bytes(s, std::numeric_limits<int32_t>::min()), Hex({0x80, 0, 0, 0}));
  EXPECT_EQ(*s.deserialize(Hex({0xff, 0xff, 0xff, 0x85})), -123);
  EXPECT_EQ(*s.deserialize(Hex({0, 0, 0x01, 0})), 256);
}

TEST(SerdeTest, DoubleMatchesJavaDoubleSerializer) {
  Serde<double> s = Serdes::Double();
  EXPECT_EQ(Bytes(s, 1.0), Hex({0x3f, 0xf0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Bytes(s, -2.5), Hex({0xc0, 0x04, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Bytes(s, 0.1), Hex({0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a}));
  EXPECT_EQ(*s.deserialize(Hex({0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18})),
            3.141592653589793);
  auto nan = s.deserialize(*Bytes(s, std::numeric_limits<double>::quiet_NaN()));
  ASSERT_TRUE(nan.ok());
  EXPECT_TRUE(std::isnan(*nan));
}

TEST(SerdeTest, FloatMatchesJavaFloatSerializer) {
  Serde<float> s = Serdes::Float();
  EXPECT_EQ(Bytes(s, 1.0f), Hex({0x3f, 0x80, 0, 0}));
  EXPECT_EQ(Bytes(s, -0.5f), Hex({0xbf, 0, 0, 0}));
  EXPECT_EQ(*s.deserialize(Hex({0x40, 0x49, 0x0f, 0xdb})), 3.14159274f);
}

TEST(SerdeTest, StringIsUtf8AndEmptyIsNotNull) {
  Serde<std::string> s = Serdes::String();
  EXPECT_EQ(Bytes(s, std::string("h\xc3\xa9")), "h\xc3\xa9");
  EXPECT_EQ(Bytes(s, std::string()), std::string());  // zero bytes, not a null
  EXPECT_EQ(*s.deserialize(std::string_view("")), "");
  EXPECT_EQ(*s.deserialize(std::string_view("abc")), "abc");
}

TEST(SerdeTest, ByteArrayIsVerbatim) {
  Serde<rill::streams::Bytes> s = Serdes::ByteArray();
  rill::streams::Bytes raw = {0, 0xff, 7};
  EXPECT_EQ(Bytes(s, raw), Hex({0, 0xff, 7}));
  EXPECT_EQ(*s.deserialize(Hex({0, 0xff, 7})), raw);
}

TEST(SerdeTest, NullBytesAreAnErrorForPlainTypes) {
  EXPECT_FALSE(Serdes::String().deserialize(std::nullopt).ok());
  EXPECT_FALSE(Serdes::ByteArray().deserialize(std::nullopt).ok());
  EXPECT_FALSE(Serdes::Json().deserialize(std::nullopt).ok());
  auto status = Serdes::Long().deserialize(std::nullopt).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("Nullable"));
}

TEST(SerdeTest, NullableMapsNullToNullopt) {
  Serde<std::optional<int64_t>> s = Serdes::Nullable(Serdes::Long());
  std::string out = "prefix";
  EXPECT_FALSE(s.serialize(std::nullopt, out));
  EXPECT_EQ(out, "prefix");  // a null leaves the buffer unchanged
  EXPECT_EQ(Bytes(s, std::optional<int64_t>(1)), Hex({0, 0, 0, 0, 0, 0, 0, 1}));
  auto null = s.deserialize(std::nullopt);
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(*null, std::nullopt);
  EXPECT_EQ(*s.deserialize(Hex({0, 0, 0, 0, 0, 0, 0, 9})), std::optional<int64_t>(9));
  // Malformed non-null bytes are still an error.
  EXPECT_FALSE(s.deserialize(Hex({1, 2})).ok());
}

TEST(SerdeTest, DefaultSerdesCoverBuiltInsAndOptionals) {
  EXPECT_EQ(Bytes(DefaultSerde<int64_t>(), int64_t{1}), Hex({0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(Bytes(DefaultSerde<int32_t>(), int32_t{1}), Hex({0, 0, 0, 1}));
  Serde<std::optional<std::string>> opt = DefaultSerde<std::optional<std::string>>();
  EXPECT_EQ(Bytes(opt, std::optional<std::string>()), std::nullopt);
  EXPECT_EQ(Bytes(opt, std::optional<std::string>("x")), "x");
  // OrDefault keeps a serde that is set.
  Serde<int64_t> custom = Serdes::Long();
  EXPECT_TRUE(static_cast<bool>(OrDefault(custom)));
  EXPECT_TRUE(static_cast<bool>(OrDefault(Serde<std::string>())));
  static_assert(!kHasDefaultSerde<std::vector<int>>);
}

TEST(SerdeTest, BadSizesAreErrorsNamingTheSize) {
  auto long3 = Serdes::Long().deserialize(Hex({1, 2, 3}));
  ASSERT_FALSE(long3.ok());
  EXPECT_EQ(long3.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(long3.status().message()), HasSubstr("3"));
  EXPECT_THAT(std::string(long3.status().message()), HasSubstr("8"));
  EXPECT_FALSE(Serdes::Long().deserialize(std::string_view("")).ok());
  EXPECT_FALSE(Serdes::Int32().deserialize(Hex({0, 0, 0, 0, 0, 0, 0, 1})).ok());
  EXPECT_FALSE(Serdes::Double().deserialize(Hex({0, 0, 0, 1})).ok());
  EXPECT_FALSE(Serdes::Float().deserialize(Hex({0, 0, 0, 0, 1})).ok());
}

TEST(SerdeTest, JsonRoundTripsAndRejectsGarbage) {
  Serde<nlohmann::json> s = Serdes::Json();
  nlohmann::json doc = {{"a", 1}, {"b", {true, nullptr, "x"}}};
  std::optional<std::string> bytes = Bytes(s, doc);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(*bytes, R"({"a":1,"b":[true,null,"x"]})");
  EXPECT_EQ(*s.deserialize(*bytes), doc);
  // JSON null is a value, not a Kafka null.
  EXPECT_EQ(Bytes(s, nlohmann::json(nullptr)), "null");
  auto bad = s.deserialize(std::string_view("{\"a\":"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SerdeTest, ProtobufRoundTripsAndRejectsGarbage) {
  Serde<google::protobuf::StringValue> s = Serdes::Protobuf<google::protobuf::StringValue>();
  google::protobuf::StringValue v;
  v.set_value("hi");
  // Field 1, wire type 2, length 2, "hi": what any protobuf library writes.
  EXPECT_EQ(Bytes(s, v), Hex({0x0a, 0x02, 'h', 'i'}));
  EXPECT_EQ(s.deserialize(Hex({0x0a, 0x02, 'h', 'i'}))->value(), "hi");
  EXPECT_FALSE(s.deserialize(Hex({0x0a, 0x05, 'h'})).ok());  // truncated
  EXPECT_FALSE(s.deserialize(std::nullopt).ok());
  // The default serde of a message type is the protobuf serde.
  EXPECT_EQ(Bytes(DefaultSerde<google::protobuf::StringValue>(), v), Hex({0x0a, 0x02, 'h', 'i'}));
}

}  // namespace
}  // namespace rill::streams
