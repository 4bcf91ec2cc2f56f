// Helpers to build token lists for the metric tests (captions are already "tokenized" by spaces).
namespace Pipeline.Models.Tests.Evaluation;

internal static class TestTokens
{
    internal static IReadOnlyList<string> T(string s) =>
        s.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    internal static IReadOnlyList<IReadOnlyList<string>> Refs(params string[] refs) =>
        refs.Select(T).ToArray();
}
