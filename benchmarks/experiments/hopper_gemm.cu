// Hopper (sm_90a) GEMM + per-column bias (+ tanh-GELU) with CUTLASS 3 collectives, for
// benchmarks/experiments/probe_cutlass_gemm.py (tried against cuBLAS and not kept; the package never uses it).
// Y[M, N] = act(X[M, K] @ W[N, K]^T + b[N]); X, W, Y row-major bf16; float32 accumulation.
// One configuration per compilation (-DCFG_ID=0..5, see CONFIGS in the probe), exported as
// eegpt_gemm_<id>(gelu, M, N, K, X, W, b, Y, workspace, workspace_bytes, stream) -> 0 on success.
#include <cuda_runtime.h>
#include <type_traits>
#include "cutlass/cutlass.h"
#include "cute/tensor.hpp"
#include "cutlass/gemm/device/gemm_universal_adapter.h"
#include "cutlass/gemm/kernel/gemm_universal.hpp"
#include "cutlass/gemm/collective/collective_builder.hpp"
#include "cutlass/epilogue/collective/collective_builder.hpp"
#include "cutlass/epilogue/thread/activation.h"
#include "cutlass/util/packed_stride.hpp"

using namespace cute;

#ifndef CFG_ID
#define CFG_ID 0
#endif

template <class Element, class TileShape, class ClusterShape, class MainSched, class EpiSched, bool Gelu>
struct Cfg {
  using LayoutA = cutlass::layout::RowMajor;
  using LayoutB = cutlass::layout::ColumnMajor;
  using LayoutD = cutlass::layout::RowMajor;
  static constexpr int Align = 8;
  using Fusion = std::conditional_t<Gelu,
      cutlass::epilogue::fusion::LinCombPerColBiasEltAct<cutlass::epilogue::thread::GELU_taylor,
                                                         Element, float, Element, Element, float>,
      cutlass::epilogue::fusion::LinCombPerColBias<Element, float, Element, Element, float>>;
  using Epi = typename cutlass::epilogue::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, TileShape, ClusterShape,
      cutlass::epilogue::collective::EpilogueTileAuto, float, float,
      void, LayoutD, Align, Element, LayoutD, Align, EpiSched, Fusion>::CollectiveOp;
  using Main = typename cutlass::gemm::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp,
      Element, LayoutA, Align, Element, LayoutB, Align, float, TileShape, ClusterShape,
      cutlass::gemm::collective::StageCountAutoCarveout<static_cast<int>(sizeof(typename Epi::SharedStorage))>,
      MainSched>::CollectiveOp;
  using Kernel = cutlass::gemm::kernel::GemmUniversal<Shape<int, int, int, int>, Main, Epi>;
  using Gemm = cutlass::gemm::device::GemmUniversalAdapter<Kernel>;
};

using BF = cutlass::bfloat16_t;
using PP = cutlass::gemm::KernelTmaWarpSpecializedPingpong;
using CO = cutlass::gemm::KernelTmaWarpSpecializedCooperative;
using EPP = cutlass::epilogue::TmaWarpSpecialized;
using ECO = cutlass::epilogue::TmaWarpSpecializedCooperative;

#if CFG_ID == 0
#define TILE Shape<_128, _128, _64>
#define CLUSTER Shape<_1, _1, _1>
#define SCHED PP, EPP
#elif CFG_ID == 1
#define TILE Shape<_128, _128, _64>
#define CLUSTER Shape<_2, _1, _1>
#define SCHED PP, EPP
#elif CFG_ID == 2
#define TILE Shape<_128, _128, _64>
#define CLUSTER Shape<_1, _2, _1>
#define SCHED PP, EPP
#elif CFG_ID == 3
#define TILE Shape<_256, _128, _64>
#define CLUSTER Shape<_1, _2, _1>
#define SCHED CO, ECO
#elif CFG_ID == 4
#define TILE Shape<_64, _256, _64>
#define CLUSTER Shape<_1, _1, _1>
#define SCHED PP, EPP
#elif CFG_ID == 5
#define TILE Shape<_128, _256, _64>
#define CLUSTER Shape<_1, _2, _1>
#define SCHED CO, ECO
#endif

template <class C>
static int run(int M, int N, int K, const void* A, const void* B, const void* bias, void* D,
               void* workspace, size_t workspace_bytes, cudaStream_t stream) {
  using Gemm = typename C::Gemm;
  using K_ = typename Gemm::GemmKernel;
  static int sm_count = 0, device = -1;
  int dev = 0;
  cudaGetDevice(&dev);
  if (dev != device) {
    sm_count = cutlass::KernelHardwareInfo::query_device_multiprocessor_count(dev);
    device = dev;
  }
  cutlass::KernelHardwareInfo hw;
  hw.device_id = dev;
  hw.sm_count = sm_count;
  auto sA = cutlass::make_cute_packed_stride(typename K_::StrideA{}, make_shape(M, K, 1));
  auto sB = cutlass::make_cute_packed_stride(typename K_::StrideB{}, make_shape(N, K, 1));
  auto sC = cutlass::make_cute_packed_stride(typename K_::StrideC{}, make_shape(M, N, 1));
  auto sD = cutlass::make_cute_packed_stride(typename K_::StrideD{}, make_shape(M, N, 1));
  typename Gemm::Arguments args{cutlass::gemm::GemmUniversalMode::kGemm,
                                {M, N, K, 1},
                                {static_cast<BF const*>(A), sA, static_cast<BF const*>(B), sB},
                                {{}, nullptr, sC, static_cast<BF*>(D), sD},
                                hw};
  args.epilogue.thread.alpha = 1.0f;
  args.epilogue.thread.beta = 0.0f;
  args.epilogue.thread.bias_ptr = static_cast<BF const*>(bias);
  Gemm op;
  if (op.can_implement(args) != cutlass::Status::kSuccess) return 1;
  if (Gemm::get_workspace_size(args) > workspace_bytes) return 2;
  if (op.initialize(args, workspace, stream) != cutlass::Status::kSuccess) return 3;
  if (op.run(stream) != cutlass::Status::kSuccess) return 4;
  return 0;
}

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

extern "C" int CAT(eegpt_gemm_, CFG_ID)(int gelu, int M, int N, int K, const void* A,
                                       const void* B, const void* bias, void* D,
                                       void* workspace, size_t workspace_bytes,
                                       cudaStream_t stream) {
  if (gelu)
    return run<Cfg<BF, TILE, CLUSTER, SCHED, true>>(M, N, K, A, B, bias, D, workspace,
                                                    workspace_bytes, stream);
  return run<Cfg<BF, TILE, CLUSTER, SCHED, false>>(M, N, K, A, B, bias, D, workspace,
                                                   workspace_bytes, stream);
}

extern "C" size_t CAT(eegpt_gemm_workspace_, CFG_ID)(int gelu, int M, int N, int K) {
  (void)gelu; (void)M; (void)N; (void)K;
  return 0;
}
