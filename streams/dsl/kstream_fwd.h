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
template <class K, class V>
class GlobalKTable;
}  // namespace rill::streams
