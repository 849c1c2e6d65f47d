// wirekit/core.hpp — umbrella for layer L0: bytes, endian integers,
// addresses, compile-time layouts, views, result/wire_error, formatters.
#pragma once

#include "core/address.hpp"
#include "core/bytes.hpp"
#include "core/endian.hpp"
#include "core/format.hpp"
#include "core/layout.hpp"
#include "core/result.hpp"
#include "core/view.hpp"
