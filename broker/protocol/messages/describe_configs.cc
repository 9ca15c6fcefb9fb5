#include "broker/protocol/messages/describe_configs.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool DescribeConfigsRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  // resource_type, resource_name, configuration_keys length.
  ReadArray(r, false, 7, &resources, [&r](DescribeConfigsResource& res) {
    res.resource_type = r.Int8();
    res.resource_name = r.String();
    internal::ReadNullableStringArray(r, false, &res.configuration_keys);
  });
  include_synonyms = version >= 1 ? r.Bool() : false;
  return r.ok();
}

void DescribeConfigsRequest::Encode(Writer& w, int16_t version) const {
  WriteArray(w, false, resources, [&w](const DescribeConfigsResource& res) {
    w.Int8(res.resource_type);
    w.String(res.resource_name);
    internal::WriteNullableStringArray(w, false, res.configuration_keys);
  });
  if (version >= 1) w.Bool(include_synonyms);
}

bool DescribeConfigsResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = r.Int32();
  // error_code, error_message, resource_type, resource_name, configs length.
  ReadArray(r, false, 11, &results, [&](DescribeConfigsResult& res) {
    res.error_code = r.Int16();
    res.error_message = r.NullableString();
    res.resource_type = r.Int8();
    res.resource_name = r.String();
    // name, value, read_only, is_default or config_source, is_sensitive.
    ReadArray(r, false, 7, &res.configs, [&](DescribeConfigsResourceResult& c) {
      c.name = r.String();
      c.value = r.NullableString();
      c.read_only = r.Bool();
      c.is_default = version == 0 ? r.Bool() : false;
      c.config_source = version >= 1 ? r.Int8() : -1;
      c.is_sensitive = r.Bool();
      if (version >= 1) {
        ReadArray(r, false, 5, &c.synonyms, [&r](DescribeConfigsSynonym& s) {
          s.name = r.String();
          s.value = r.NullableString();
          s.source = r.Int8();
        });
      } else {
        c.synonyms.clear();
      }
    });
  });
  return r.ok();
}

void DescribeConfigsResponse::Encode(Writer& w, int16_t version) const {
  w.Int32(throttle_time_ms);
  WriteArray(w, false, results, [&](const DescribeConfigsResult& res) {
    w.Int16(res.error_code);
    w.NullableString(res.error_message);
    w.Int8(res.resource_type);
    w.String(res.resource_name);
    WriteArray(w, false, res.configs, [&](const DescribeConfigsResourceResult& c) {
      w.String(c.name);
      w.NullableString(c.value);
      w.Bool(c.read_only);
      if (version == 0) w.Bool(c.is_default);
      if (version >= 1) w.Int8(c.config_source);
      w.Bool(c.is_sensitive);
      if (version >= 1) {
        WriteArray(w, false, c.synonyms, [&w](const DescribeConfigsSynonym& s) {
          w.String(s.name);
          w.NullableString(s.value);
          w.Int8(s.source);
        });
      }
    });
  });
}

}  // namespace rill::broker::protocol
