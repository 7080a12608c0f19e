using System.IO.Compression;
using WcLayer.Tests.Samples;

namespace WcLayer.Tests.Cli;

/// <summary>The sample layer as files and bytes for CLI tests (generated, so the tests do not depend on the checked-in copy).</summary>
public sealed class SampleTar : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "wclayer-cli-tests-" + Guid.NewGuid().ToString("N"));

    public byte[] Bytes { get; private set; } = [];

    public byte[] GzipBytes { get; private set; } = [];

    public string PlainPath => Path.Combine(_directory, "sample-layer.tar");

    public string GzipPath => Path.Combine(_directory, "sample-layer.tar.gz");

    public string Directory => _directory;

    public async Task InitializeAsync()
    {
        Bytes = await SampleLayer.CreateAsync();
        using (var compressed = new MemoryStream())
        {
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(Bytes);
            }

            GzipBytes = compressed.ToArray();
        }

        System.IO.Directory.CreateDirectory(_directory);
        await File.WriteAllBytesAsync(PlainPath, Bytes);
        await File.WriteAllBytesAsync(GzipPath, GzipBytes);
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
