#pragma once
// NumPy .npy files of float32, so activations dumped by the engine can be compared with a
// Python reference (np.load) and read back in tests.
#include <cstddef>
#include <string>
#include <vector>

namespace tern {

// Writes NPY format v1.0: dtype '<f4', C order, header padded with spaces and ended by '\n' so
// the data starts at a multiple of 64 bytes (what NumPy itself writes; lets readers mmap
// aligned floats). shape {} writes a 0-d array holding one value. data may be null only when the
// shape has zero elements. Writes PATH.tmp and renames it over PATH, so an interrupted or failed
// write never leaves a half file under the real name. Throws tern::Error naming the path on any
// I/O failure (including a full disk).
void write_npy_f32(const std::string& path, const float* data, const std::vector<size_t>& shape);

struct NpyArray {
    std::vector<size_t> shape;
    std::vector<float> data;  // C order, product(shape) values
};

// Reads a .npy file written by write_npy_f32 or by NumPy (versions 1.0, 2.0 and 3.0 headers).
// Only little-endian float32 in C order is accepted. Throws tern::Error naming the path and the
// problem for anything else: bad magic, unknown version, malformed or incomplete header dict,
// other dtypes, fortran_order True, truncated data or trailing bytes.
NpyArray read_npy_f32(const std::string& path);

}  // namespace tern
