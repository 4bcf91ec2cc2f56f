using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>
/// <c>pipeline bench</c>: points to the benchmark runner. The benchmarks live in their own project
/// (bench/Pipeline.Bench, which references only src/Models) so the CLI does not ship PyTorch-comparison
/// code; this command says how to run them.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "How to benchmark the engine against PyTorch (runs from a source checkout).");
        command.SetAction(_ => Run());
        return command;
    }

    public static int Run()
    {
        Console.WriteLine("""
            The benchmarks are a separate project in the source tree (bench/Pipeline.Bench); from the repository root:

              bash scripts/install-reference.sh      # once: PyTorch/numpy reference (Debian packages)
              dotnet run --project bench/Pipeline.Bench -c Release -- compare --threads 2 --reference-env both --scaling --out docs/BENCHMARKS.md
              dotnet run --project bench/Pipeline.Bench -c Release -- run captioner_train --iters 10 --profile   # ours only
              dotnet run --project bench/Pipeline.Bench -c Release -- sgemm                                      # kernel GFLOPS

            Results and the performance bars are described in docs/BENCHMARKS.md.
            """);
        return 0;
    }
}
