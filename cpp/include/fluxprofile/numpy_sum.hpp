#pragma once
// NumPy's pairwise summation, operation for operation, so that sums and means computed
// in the core equal np.sum / np.mean of the same values to the bit.
#include <cstddef>

namespace fluxprofile {

// The sum of at(begin), ..., at(begin + n - 1) in the arithmetic of T, as np.add.reduce
// adds a contiguous 1-D array starting from the identity 0: below 8 values a plain
// loop, up to 128 eight interleaved partial sums, above that the two halves (split at a
// multiple of 8) summed separately.
template <class T, class At>
T numpy_pairwise_sum(const At& at, std::size_t begin, std::size_t n) {
  if (n < 8) {
    T res = 0;
    for (std::size_t i = 0; i < n; ++i) res += at(begin + i);
    return res;
  }
  if (n <= 128) {
    T r[8];
    for (std::size_t j = 0; j < 8; ++j) r[j] = at(begin + j);
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (std::size_t j = 0; j < 8; ++j) r[j] += at(begin + i + j);
    }
    T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += at(begin + i);
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_pairwise_sum<T>(at, begin, n2) +
         numpy_pairwise_sum<T>(at, begin + n2, n - n2);
}

}  // namespace fluxprofile
