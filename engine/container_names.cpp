#include "engine/container_names.h"

#include <array>
#include <random>

#include "base/error.h"

namespace burrow::engine {

namespace {

constexpr std::array kAdjectives = {
    "admiring", "agitated", "angry",    "berserk",  "boring",   "clever",   "cranky",  "dreamy",
    "ecstatic", "elated",   "focused",  "furious",  "gloomy",   "goofy",    "happy",   "hopeful",
    "jolly",    "kickass",  "lonely",   "loving",   "mad",      "modest",   "naughty", "nostalgic",
    "pensive",  "prickly",  "reverent", "romantic", "sad",      "serene",   "sharp",   "silly",
    "sleepy",   "stoic",    "suspicious", "tender", "thirsty",  "trusting", "zen",     "jovial"};

constexpr std::array kSurnames = {
    "albattani", "almeida",  "archimedes", "ardinghelli", "babbage",  "bardeen",  "bartik",
    "bell",      "blackwell", "bohr",      "brattain",    "brown",    "carson",   "colden",
    "cori",      "curie",    "darwin",     "davinci",     "einstein", "elion",    "engelbart",
    "euclid",    "fermat",   "fermi",      "feynman",     "franklin", "galileo",  "goldstine",
    "goodall",   "hawking",  "heisenberg", "hodgkin",     "hoover",   "hopper",   "hypatia",
    "jones",     "kirch",    "kowalevski", "lalande",     "leakey",   "lovelace", "lumiere",
    "mayer",     "mccarthy", "mcclintock", "morse",       "newton",   "nobel",    "pare",
    "pasteur",   "perlman",  "pike",       "poincare",    "ptolemy",  "ritchie",  "rosalind",
    "sammet",    "shockley", "sinoussi",   "stallman",    "tesla",    "thompson", "torvalds",
    "turing",    "wilson",   "wozniak",    "wright",      "yalow",    "yonath"};

bool valid_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

}  // namespace

std::string normalize_container_name(const std::string& name) {
  std::string bare = !name.empty() && name[0] == '/' ? name.substr(1) : name;
  bool ok = !bare.empty() && bare.size() <= 255;
  for (char c : bare) ok = ok && valid_char(c);
  if (!ok) throw Error::bad_parameter("Invalid container name (" + name + "), only [a-zA-Z0-9_.-] are allowed");
  return "/" + bare;
}

std::string random_container_name(const std::function<bool(const std::string&)>& taken) {
  std::random_device rd;
  std::mt19937 rng(rd());
  std::uniform_int_distribution<size_t> adj(0, kAdjectives.size() - 1), sur(0, kSurnames.size() - 1);
  std::uniform_int_distribution<int> digit(0, 9);
  for (int attempt = 0;; ++attempt) {
    std::string name = std::string(kAdjectives[adj(rng)]) + "_" + kSurnames[sur(rng)];
    if (attempt >= 5) name += std::to_string(digit(rng)) + std::to_string(attempt);
    if (!taken("/" + name)) return name;
  }
}

}  // namespace burrow::engine
