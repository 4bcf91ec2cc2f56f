// Entry point of the benchmark runner: `dotnet run --project bench/Pipeline.Bench -c Release -- <name> [options]`.

using Pipeline.Bench;

string which = args.Length > 0 ? args[0] : "";
switch (which)
{
    case "sgemm":
        return SgemmBenchmark.Run(args.AsSpan(1));
    case "compare":
        return Pipeline.Bench.Runner.CompareCommand.Run(args.AsSpan(1));
    case "memory-child":
        return Pipeline.Bench.Runner.MemoryProbe.Child(args.AsSpan(1));
    case "ab":
        return Pipeline.Bench.Runner.AbCommand.Run(args.AsSpan(1));
    case "caption-e2e":
        return Pipeline.Bench.Runner.CaptionEndToEnd.Run(args.AsSpan(1));
    case "conv-layers":
        return Pipeline.Bench.Runner.ConvLayersCommand.Run(args.AsSpan(1));
    case "run":
        return Pipeline.Bench.Runner.RunCommand.Run(args.AsSpan(1));
    default:
        Console.Error.WriteLine("usage: Pipeline.Bench compare [--configs LIST] [--threads 2] [--iters N] [--rounds R] [--warmup W] [--reference-env tuned|default|both] [--out docs/BENCHMARKS.md] [--json results.jsonl] [--scaling]\n       Pipeline.Bench ab SPEC [SPEC..] [--iters N] [--rounds R] [--threads T]   (SPEC = NAME, ort:NAME, NAME@layers, NAME@direct, NAME@gemm)\n       Pipeline.Bench caption-e2e --model DIR --photos FOLDER [--count 200] [--rounds 3]\n       Pipeline.Bench conv-layers [--shapes C-O-H-K-S-P,..] [--batch 32] [--iters N] [--rounds R] [--threads T]\n       Pipeline.Bench run NAME[,NAME..]|all [--iters N] [--profile]\n       Pipeline.Bench sgemm [--sizes 256,512,1024,2048 | --shape MxNxK] [--runs N] [--threads T] [--series on]");
        return 2;
}
