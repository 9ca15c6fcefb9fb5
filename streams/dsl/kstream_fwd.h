// Forward declarations of the DSL handle types (they return each other).
#pragma once

namespace rill::streams {
template <class K, class V>
class KStream;
template <class K, class V>
class KTable;
template <class K, class V>
class KGroupedStream;
template <class K, class V>
class KGroupedTable;
template <class K, class V>
class BranchedKStream;
}  // namespace rill::streams
