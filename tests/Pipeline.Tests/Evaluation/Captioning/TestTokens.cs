// Helpers to build token lists for the metric tests (captions are already "tokenized" by spaces).
namespace Pipeline.Tests.Evaluation.Captioning;

internal static class TestTokens
{
    internal static IReadOnlyList<string> T(string s) =>
        s.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    internal static IReadOnlyList<IReadOnlyList<string>> Refs(params string[] refs) =>
        refs.Select(T).ToArray();
}
