import Foundation

/// Tensors live in ordinary Swift arrays, so every operation's output is a fresh `malloc`. With
/// glibc's defaults a training step returns its large buffers to the kernel (they are `mmap`ed:
/// always above 64 MB on a non-main malloc arena, which is where an async `main` runs) and the next
/// step takes them back one zero-filled page at a time, about 2.5 µs per 4 KiB page here: a
/// nanoGPT-sized step faulted ~75,000 pages (≈ 0.2 s of CPU). `keepFreedMemory()` makes freed
/// blocks stay in the process heap for reuse, as PyTorch's caching allocators do.
public enum MemoryPolicy {
  /// Call once, first thing in `main`, before other threads allocate: one malloc arena (the main
  /// one, grown with `brk`), no `mmap` for large blocks, and free memory at the top of the heap
  /// returned to the kernel only beyond `retainedBytes`; memory use then stays near its peak.
  /// Returns whether the C library accepted the settings (glibc's `mallopt`; elsewhere nothing
  /// changes and the result is false).
  @discardableResult
  public static func keepFreedMemory(retainedBytes: Int = 1 << 30) -> Bool {
    // mallopt is not in Swift's Glibc module (malloc.h); its parameter numbers are glibc ABI.
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
    typealias MallocOption = @convention(c) (Int32, Int32) -> Int32
    let mallopt = unsafeBitCast(symbol, to: MallocOption.self)
    let trimThreshold: Int32 = -1, mmapMax: Int32 = -4, arenaMax: Int32 = -8
    let accepted = [mallopt(arenaMax, 1), mallopt(mmapMax, 0), mallopt(trimThreshold, Int32(clamping: retainedBytes))]
    return accepted.allSatisfy { $0 == 1 }
  }

  /// Restarts the process once (execv of /proc/self/exe with the same arguments) with glibc's
  /// `glibc.malloc.hugetlb=1` tunable added to `GLIBC_TUNABLES`, so that the heap grows on
  /// transparent 2 MB pages. glibc reads tunables only at process start, and this machine's THP
  /// mode is "madvise": on 4 KB pages, streaming F32 weights once per decoded token ran 46–48
  /// tok/s for SmolLM2, on 2 MB pages 54–57 (page walks). Returns (doing nothing) when the tunable
  /// is already set, when `RADLM_HUGE_PAGES=0`, when THP is off, off Linux, or if exec fails.
  /// Call it first thing in `main`, before anything reads files or starts work.
  public static func restartWithHugePageHeap() {
    #if os(Linux)
      let environment = ProcessInfo.processInfo.environment
      let mode = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)
      guard let restart = hugePageTunables(environment: environment, transparentHugePages: mode) else { return }
      let tunables = environment["GLIBC_TUNABLES"] ?? ""
      setenv("GLIBC_TUNABLES", restart, 1)
      var arguments: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) } + [nil]
      execv("/proc/self/exe", &arguments)
      // Still here: exec failed; carry on as we are, with the environment as it was.
      for argument in arguments { free(argument) }
      if tunables.isEmpty { unsetenv("GLIBC_TUNABLES") } else { setenv("GLIBC_TUNABLES", tunables, 1) }
    #endif
  }

  /// The `GLIBC_TUNABLES` value to restart with, or nil to carry on as we are: when
  /// `glibc.malloc.hugetlb` is already set (by the user, or by the restart itself), when
  /// `RADLM_HUGE_PAGES=0`, or when transparent huge pages are off or unknown
  /// (`transparentHugePages` is /sys/kernel/mm/transparent_hugepage/enabled, e.g.
  /// "always [madvise] never").
  public static func hugePageTunables(environment: [String: String], transparentHugePages: String?) -> String? {
    let tunables = environment["GLIBC_TUNABLES"] ?? ""
    guard environment["RADLM_HUGE_PAGES"] != "0", !tunables.contains("glibc.malloc.hugetlb"),
      let mode = transparentHugePages, mode.contains("["), !mode.contains("[never]")
    else { return nil }
    return tunables.isEmpty ? "glibc.malloc.hugetlb=1" : tunables + ":glibc.malloc.hugetlb=1"
  }

  /// Hands free heap memory back to the kernel now (glibc's `malloc_trim`, not in Swift's Glibc
  /// module), for a caller that has just dropped a large part of its working set for good (QLoRA
  /// releasing the F32 base). Elsewhere nothing happens.
  public static func returnFreeMemoryToTheSystem() {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
    typealias MallocTrim = @convention(c) (Int) -> Int32
    _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
  }
}
