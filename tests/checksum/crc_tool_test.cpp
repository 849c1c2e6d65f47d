// The wirekit-crc example tool, run as a program. Expected values are
// published check values (Greg Cook's RevEng CRC catalogue: the CRC of the
// ASCII string "123456789") and the RFC 1071 §3 worked example.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "support/run_command.hpp"

namespace {

const std::string tool = std::string(WIREKIT_BINARY_DIR) + "/examples/wirekit-crc";

// Runs `tool ARGS` with stdin from `input_file` (or /dev/null); stderr joins stdout.
wirekit::test::run_result run(const std::string& args, const std::string& input_file = "/dev/null") {
    return wirekit::test::run_command(tool + " " + args + " < " + input_file + " 2>&1");
}

std::string write_temp(const std::string& name, const std::string& content) {
    const std::string path = std::string(WIREKIT_BINARY_DIR) + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

}  // namespace

TEST_CASE("wirekit-crc prints catalogue check values for \"123456789\"", "[checksum][tool]") {
    const auto check = write_temp("crc-tool-check.txt", "123456789");
    CHECK(run("--model CRC-32/ISO-HDLC " + check).out == "cbf43926  " + check + "\n");
    CHECK(run("--model crc-32c " + check).out == "e3069283  " + check + "\n");           // alias, any case
    CHECK(run("--model CRC-16/CCITT-FALSE " + check).out == "29b1  " + check + "\n");    // alias of IBM-3740
    CHECK(run("--model CRC-64/XZ " + check).out == "995dc9bbdf1939fa  " + check + "\n");
    CHECK(run("--model CRC-24/OPENPGP " + check).out == "21cf02  " + check + "\n");
    CHECK(run("--model CRC-8/SMBUS " + check).out == "f4  " + check + "\n");
    // Standard input when no file is named.
    CHECK(run("--model CRC-32/ISCSI", check).out == "e3069283  -\n");
}

TEST_CASE("wirekit-crc --inet is the RFC 1071 Internet checksum", "[checksum][tool]") {
    // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2; checksum 0x220d.
    const auto f = write_temp("crc-tool-inet.bin", std::string("\x00\x01\xf2\x03\xf4\xf5\xf6\xf7", 8));
    auto r = run("--inet " + f);
    CHECK(r.status == 0);
    CHECK(r.out == "220d  " + f + "\n");
}

TEST_CASE("wirekit-crc lists the catalogue and rejects bad input clearly", "[checksum][tool]") {
    auto list = run("--list");
    CHECK(list.status == 0);
    CHECK(list.out.find("CRC-32/ISO-HDLC") != std::string::npos);
    CHECK(list.out.find("CRC-64/GO-ISO") != std::string::npos);

    auto unknown = run("--model CRC-99/NOPE");
    CHECK(unknown.status == 2);
    CHECK(unknown.out.find("unknown model 'CRC-99/NOPE'") != std::string::npos);

    auto missing = run("--model CRC-32/ISO-HDLC /nonexistent/file");
    CHECK(missing.status == 1);
    CHECK(missing.out.find("/nonexistent/file: No such file or directory") != std::string::npos);

    CHECK(run("").status == 2);
    CHECK(run("--model").status == 2);
}
