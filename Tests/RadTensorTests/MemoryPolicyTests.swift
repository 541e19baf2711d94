import RadTensor
import Testing

/// When `radlm` restarts itself with glibc's huge-page heap tunable, and with what value.
@Suite("Huge-page heap restart decision")
struct MemoryPolicyTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let environment: [String: String]
    let mode: String?
    let expected: String?
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "madvise mode, nothing set", environment: [:], mode: "always [madvise] never\n",
      expected: "glibc.malloc.hugetlb=1"),
    Case(name: "always mode", environment: [:], mode: "[always] madvise never", expected: "glibc.malloc.hugetlb=1"),
    Case(
      name: "other tunables kept", environment: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2"],
      mode: "always [madvise] never",
      expected: "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"),
    Case(
      name: "already restarted", environment: ["GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"],
      mode: "always [madvise] never",
      expected: nil),
    Case(
      name: "user chose hugetlb=0", environment: ["GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"],
      mode: "always [madvise] never",
      expected: nil),
    Case(name: "opted out", environment: ["RADLM_HUGE_PAGES": "0"], mode: "always [madvise] never", expected: nil),
    Case(name: "THP off", environment: [:], mode: "always madvise [never]", expected: nil),
    Case(name: "no THP file", environment: [:], mode: nil, expected: nil),
  ]

  @Test(arguments: cases)
  func decides(_ c: Case) {
    #expect(MemoryPolicy.hugePageTunables(environment: c.environment, transparentHugePages: c.mode) == c.expected)
  }
}
