#include "esser/emulator/app/init_project.hpp"

#include <fstream>
#include <system_error>

namespace esser::emulator {

namespace fs = std::filesystem;

namespace {

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    for (std::size_t hit; (hit = text.find(from, pos)) != std::string_view::npos;
         pos = hit + from.size()) {
        out.append(text, pos, hit - pos);
        out.append(to);
    }
    out.append(text, pos);
    return out;
}

// "dot-gitignore" -> ".gitignore", in any folder of the template (git and build tools treat
// dot files specially, so the template keeps them visible).
std::string output_path(std::string_view template_path) {
    std::string p(template_path);
    const std::size_t slash = p.rfind('/');
    const std::size_t base = slash == std::string::npos ? 0 : slash + 1;
    if (p.compare(base, 4, "dot-") == 0)
        p.replace(base, 4, ".");
    return p;
}

}  // namespace

bool valid_project_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > 40 || name[0] < 'a' || name[0] > 'z')
        return false;
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

std::string default_project_name(const fs::path& dir) {
    fs::path p = dir.lexically_normal();
    if (p.filename().empty())  // "todo/" normalises to "todo/" with an empty filename
        p = p.parent_path();
    if (p.empty() || p.filename() == "." || p.filename() == "..")
        p = fs::absolute(p).lexically_normal();
    if (p.filename().empty())
        p = p.parent_path();
    std::string name = p.filename().string();
    for (char& c : name) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        else if (c == '-' || c == '.')
            c = '_';
    }
    return name;
}

core::result<init_report> init_project(const init_options& opts) {
    init_report report;
    report.name = opts.name.empty() ? default_project_name(opts.dir) : opts.name;
    if (!valid_project_name(report.name)) {
        return core::unexpected(core::error::invalid_argument(
            "'" + report.name +
            "' is not a valid project name: use a lower-case letter, then lower-case letters, "
            "digits or '_' (at most 40), e.g. --name my_service"));
    }
    std::error_code ec;
    const auto status = fs::status(opts.dir, ec);
    if (fs::exists(status)) {
        if (!fs::is_directory(status)) {
            return core::unexpected(core::error::invalid_argument(
                opts.dir.string() + " exists and is not a directory"));
        }
        if (!opts.force && !fs::is_empty(opts.dir, ec)) {
            return core::unexpected(core::error::invalid_argument(
                opts.dir.string() +
                " is not empty; choose a new directory, or pass --force to write the project's "
                "files into it (files of the same name are overwritten)"));
        }
    }
    for (const auto& f : init_template()) {
        const std::string rel = output_path(f.path);
        const fs::path target = opts.dir / fs::path(rel);
        fs::create_directories(target.parent_path(), ec);
        if (ec) {
            return core::unexpected(core::error::unavailable(
                "cannot create " + target.parent_path().string() + ": " + ec.message()));
        }
        std::ofstream out(target, std::ios::binary | std::ios::trunc);
        const std::string text = replace_all(replace_all(f.text, "@NAME@", report.name),
                                             "@ESSER_PREFIX@", opts.esser_prefix);
        out << text;
        out.close();
        if (!out) {
            return core::unexpected(core::error::unavailable(
                "cannot write " + target.string() +
                (report.files.empty() ? "" : " (the files before it were written)")));
        }
        report.files.push_back(rel);
    }
    return report;
}

std::string installed_esser_prefix() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec || exe.parent_path().filename() != "bin")
        return {};
    const fs::path prefix = exe.parent_path().parent_path();
    // lib/cmake/esser, lib64/cmake/esser or lib/<multiarch>/cmake/esser (GNUInstallDirs).
    for (const char* libdir : {"lib", "lib64"}) {
        if (fs::exists(prefix / libdir / "cmake/esser/esserConfig.cmake", ec))
            return prefix.string();
        for (const auto& sub : fs::directory_iterator(prefix / libdir, ec)) {
            if (fs::exists(sub.path() / "cmake/esser/esserConfig.cmake", ec))
                return prefix.string();
        }
    }
    return {};
}

}  // namespace esser::emulator
