#include "brokersim/io/output.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace brokersim::io {

namespace {

void write_in_place(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out)
        throw std::runtime_error(fmt::format("cannot write '{}'", path));
}

}  // namespace

void write_output(const std::string& path, const std::string& text)
{
    if (path.empty()) {
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
            std::fflush(stdout) != 0)
            throw std::runtime_error("cannot write to standard output");
        return;
    }

    // Renaming over a device or a pipe would replace it.
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status) &&
        !std::filesystem::is_directory(status)) {
        write_in_place(path, text);
        return;
    }

    const auto temporary = path + ".brokersim-tmp";
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (out)
        std::filesystem::rename(temporary, path, error);
    if (!out || error) {
        std::filesystem::remove(temporary, error);
        throw std::runtime_error(fmt::format("cannot write '{}'", path));
    }
}

}  // namespace brokersim::io
