#include "brokersim/io/output.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace brokersim::io {

namespace {

[[noreturn]] void cannot_write(const std::string& path, const std::string& reason)
{
    throw std::runtime_error(fmt::format("cannot write '{}': {}", path, reason));
}

// Writes `text` to `path` and closes it; the reason (strerror) on failure, else empty.
std::string write_file(const std::string& path, const char* mode, const std::string& text)
{
    errno = 0;
    std::FILE* file = std::fopen(path.c_str(), mode);
    if (file == nullptr)
        return std::strerror(errno);

    const bool written =
        std::fwrite(text.data(), 1, text.size(), file) == text.size() && std::fflush(file) == 0;
    const int write_error = errno;
    const bool closed = std::fclose(file) == 0;
    if (!written || !closed)
        return std::strerror(!written && write_error != 0 ? write_error : errno);
    return {};
}

}  // namespace

std::string output_target(const std::string& path)
{
    namespace fs = std::filesystem;
    fs::path target = path;
    std::error_code error;
    for (int hops = 0; fs::is_symlink(fs::symlink_status(target, error)); ++hops) {
        if (hops == 40)
            cannot_write(path, "Too many levels of symbolic links");
        const auto link = fs::read_symlink(target, error);
        if (error)
            cannot_write(path, error.message());
        target = link.is_absolute() ? link : target.parent_path() / link;
    }
    return target.string();
}

void write_output(const std::string& user_path, const std::string& text)
{
    const auto path = user_path.empty() ? user_path : output_target(user_path);
    if (user_path.empty()) {
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
            std::fflush(stdout) != 0)
            throw std::runtime_error(
                fmt::format("cannot write to standard output: {}", std::strerror(errno)));
        return;
    }

    // Renaming over a device or a pipe would replace it.
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status) &&
        !std::filesystem::is_directory(status)) {
        if (const auto reason = write_file(path, "wb", text); !reason.empty())
            cannot_write(user_path, reason);
        return;
    }

    // Named after this process, so that two runs writing the same output do not share it.
    const auto temporary = fmt::format("{}.brokersim-tmp.{}", path, ::getpid());
    if (const auto reason = write_file(temporary, "wb", text); !reason.empty()) {
        std::filesystem::remove(temporary, error);
        cannot_write(user_path, reason);
    }
    std::filesystem::rename(temporary, path, error);
    if (error) {
        const auto reason = error.message();
        std::filesystem::remove(temporary, error);
        cannot_write(user_path, reason);
    }
}

}  // namespace brokersim::io
