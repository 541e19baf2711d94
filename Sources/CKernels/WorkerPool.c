// A small pool of persistent helper threads for RadTensor's element-wise and row kernels.
//
// Why not DispatchQueue.concurrentPerform: its workers sleep between calls, so every parallel
// kernel first pays a thread wake-up (tens of microseconds on this VM), which is a large share of
// a 0.3 ms layer norm. Here a helper that finishes a job keeps polling for the next one for a short
// while (first with the pause instruction, then with sched_yield so that other threads on its core
// run first), and only then sleeps on a condition variable, so back-to-back kernels start at once
// while an idle process costs nothing.
//
// Placement: a helper is kept off the CPU its caller runs on (pthread_setaffinity_np to the caller's
// allowed CPUs minus the caller's own, redone only when the caller is seen on another CPU). Without
// it a woken helper could sit behind the caller on the caller's core: under SCHED_FIFO (the
// benchmarks' chrt) it then never ran for the first ≈ 30 ms after a wake-up, so a short run of
// M = 1 products (30 µs each) went at one core's speed in most processes and at two in others.
// The caller itself is never pinned; a caller allowed only one CPU gives the helpers its own mask.
//
// A job is `pieces` calls task(context, piece). The pieces are claimed through one atomic word
// holding (job generation << 32 | next piece), so the caller runs every piece a late helper has not
// claimed yet and a helper can never claim a piece of a job other than the one it saw.
#define _GNU_SOURCE  // sched_getcpu, CPU_SET, pthread_setaffinity_np
#include "CKernels.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

enum { MAX_HELPERS = 63 };
// How long an idle helper keeps polling before it sleeps: pause-spinning first, then yielding.
static const uint64_t PAUSE_NS = 5000, YIELD_NS = 200000;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static _Atomic int pool_busy;               // 1 while a caller owns the pool
static _Atomic uint64_t pool_state;         // generation << 32 | next unclaimed piece
static _Atomic int64_t pool_completed;      // pieces of the current job finished
static _Atomic int pool_sleepers;           // helpers blocked on pool_wake
static int pool_helpers;                    // helper threads started (under pool_lock)
static pthread_t pool_threads[MAX_HELPERS]; // the helpers (under pool_lock)
static int pool_caller_cpu = -2;            // caller CPU the helpers were last placed around (owner only)
// The current job, written by the owner before it publishes a new generation. Task and context
// are read only after a successful claim of a piece of that generation; the piece count is also
// read before claiming (by helpers that may hold an old generation), hence atomic.
static radlm_task pool_task;
static void *pool_context;
static int pool_vector_cap;  // the owner's vector-level cap, applied by every thread running its pieces
static _Atomic int64_t pool_pieces;

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

// Claims and runs pieces of the job of generation `generation` until none is left.
static void run_pieces(uint64_t generation) {
  uint64_t state = atomic_load_explicit(&pool_state, memory_order_acquire);
  for (;;) {
    if ((state >> 32) != generation) return;
    int64_t piece = (int64_t)(state & 0xFFFFFFFFu);
    if (piece >= atomic_load_explicit(&pool_pieces, memory_order_relaxed)) return;
    if (atomic_compare_exchange_weak_explicit(&pool_state, &state, state + 1, memory_order_acq_rel,
                                              memory_order_acquire)) {
      radlm_set_thread_vector_cap(pool_vector_cap);
      pool_task(pool_context, piece);
      atomic_fetch_add_explicit(&pool_completed, 1, memory_order_acq_rel);
      state = atomic_load_explicit(&pool_state, memory_order_acquire);
    }
  }
}

static void *helper_main(void *unused) {
  (void)unused;
  uint64_t seen = atomic_load(&pool_state) >> 32;
  for (;;) {
    uint64_t start = now_ns(), generation;
    unsigned polls = 0;
    while ((generation = atomic_load_explicit(&pool_state, memory_order_acquire) >> 32) == seen) {
      uint64_t waited = (++polls & 63) == 0 ? now_ns() - start : 0;
      if (waited > YIELD_NS) {
        pthread_mutex_lock(&pool_lock);
        atomic_fetch_add(&pool_sleepers, 1);
        while ((generation = atomic_load(&pool_state) >> 32) == seen) pthread_cond_wait(&pool_wake, &pool_lock);
        atomic_fetch_sub(&pool_sleepers, 1);
        pthread_mutex_unlock(&pool_lock);
        break;
      }
      if (waited > PAUSE_NS) sched_yield(); else CPU_RELAX();
    }
    seen = generation;
    run_pieces(generation);
  }
  return NULL;
}

// Starts helpers until there are `wanted` (bounded by MAX_HELPERS); returns how many run.
static int ensure_helpers(int wanted) {
  if (wanted > MAX_HELPERS) wanted = MAX_HELPERS;
  pthread_mutex_lock(&pool_lock);
  while (pool_helpers < wanted) {
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    int failed = pthread_create(&thread, &attributes, helper_main, NULL);
    pthread_attr_destroy(&attributes);
    if (failed) break;
    pool_threads[pool_helpers++] = thread;
    pool_caller_cpu = -2;  // place the new helper too
  }
  int helpers = pool_helpers;
  pthread_mutex_unlock(&pool_lock);
  return helpers;
}

// Lets the helpers run on every CPU the caller may use except `cpu`, the caller's current one.
// A caller allowed a single CPU (or on an unknown one) gives the helpers its own mask unchanged
// and returns 0, so that the next job places them again (a later caller may have more CPUs).
static int place_helpers(int cpu) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 0;
  int apart = cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &allowed) && CPU_COUNT(&allowed) > 1;
  if (apart) CPU_CLR(cpu, &allowed);
  pthread_mutex_lock(&pool_lock);
  for (int helper = 0; helper < pool_helpers; helper++)
    pthread_setaffinity_np(pool_threads[helper], sizeof allowed, &allowed);
  pthread_mutex_unlock(&pool_lock);
  return apart;
}

int radlm_parallel_run(ptrdiff_t pieces, ptrdiff_t threads, radlm_task task, void *context) {
  if (pieces <= 0) return 1;
  if (pieces == 1 || threads <= 1) {
    for (ptrdiff_t piece = 0; piece < pieces; piece++) task(context, piece);
    return 1;
  }
  if (pieces > 0xFFFFFFFF) return 0;
  int expected = 0;
  if (!atomic_compare_exchange_strong(&pool_busy, &expected, 1)) return 0;  // in use: caller falls back
  if (ensure_helpers((int)(threads - 1)) == 0) {
    atomic_store(&pool_busy, 0);
    return 0;
  }
  int cpu = sched_getcpu();
  if (cpu != pool_caller_cpu) pool_caller_cpu = place_helpers(cpu) ? cpu : -2;
  pool_task = task;
  pool_context = context;
  pool_vector_cap = radlm_thread_vector_cap();
  atomic_store_explicit(&pool_pieces, pieces, memory_order_relaxed);
  atomic_store_explicit(&pool_completed, 0, memory_order_relaxed);
  uint64_t generation = (atomic_load(&pool_state) >> 32) + 1;
  atomic_store(&pool_state, generation << 32);  // sequentially consistent: ordered before the load below
  if (atomic_load(&pool_sleepers) > 0) {
    pthread_mutex_lock(&pool_lock);
    pthread_cond_broadcast(&pool_wake);
    pthread_mutex_unlock(&pool_lock);
  }
  run_pieces(generation);
  // Pieces claimed by helpers may still run; wait for them (they are running, not sleeping).
  unsigned polls = 0;
  while (atomic_load_explicit(&pool_completed, memory_order_acquire) < pieces) {
    if (++polls < 2000) CPU_RELAX(); else sched_yield();
  }
  atomic_store(&pool_busy, 0);
  return 1;
}
