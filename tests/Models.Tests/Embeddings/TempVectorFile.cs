// A uniquely named temporary file for word-vector reader/writer tests, deleted on dispose.
namespace Pipeline.Models.Tests.Embeddings;

internal sealed class TempVectorFile : IDisposable
{
    public TempVectorFile(string extension = ".txt")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"wordvectors-{Guid.NewGuid():N}{extension}");
    }

    public string Path { get; }

    public static TempVectorFile WithText(string text)
    {
        var file = new TempVectorFile();
        File.WriteAllText(file.Path, text);
        return file;
    }

    public static TempVectorFile WithBytes(byte[] bytes, string extension = ".bin")
    {
        var file = new TempVectorFile(extension);
        File.WriteAllBytes(file.Path, bytes);
        return file;
    }

    public void Dispose()
    {
        if (File.Exists(Path))
            File.Delete(Path);
    }
}
