// Compiler work for the DAG benchmark: <regex> and <map> instantiated at -O2,
// about 2 s of one core with GCC 12, different per UNIT so no two compiles
// are alike.
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace {

template <int N> struct Unrolled {
  static int sum(const std::vector<int>& values) { return values[N % values.size()] + Unrolled<N - 1>::sum(values); }
};
template <> struct Unrolled<0> {
  static int sum(const std::vector<int>&) { return 0; }
};

} // namespace

#define JOIN2(a, b) a##b
#define JOIN(a, b) JOIN2(a, b)

int JOIN(unit_, UNIT)(const std::string& text) {
  std::map<std::string, int> counts;
  std::regex word("[a-z]+" + std::to_string(UNIT));
  for (std::sregex_iterator it(text.begin(), text.end(), word), end; it != end; ++it) {
    ++counts[it->str()];
  }
  std::vector<int> values{UNIT, 1, 2, 3};
  return static_cast<int>(counts.size()) + Unrolled<200 + UNIT % 7>::sum(values);
}
