using System.Text.Json.Nodes;
using WcLayer.Images;
using WcLayer.Portable;
using WcLayer.Tests.Cli;

namespace WcLayer.Tests.Images;

/// <summary>Images that lie: each gives a clear error naming what is wrong, writes nothing outside the store and leaves no half layer.</summary>
public sealed class HostileImageTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly PortableLayerStore _store = new();

    public HostileImageTests() => File.WriteAllText(_temp["canary"], "untouched");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ABlobWhoseDigestLiesIsRefusedAndNoLayerIsLeft()
    {
        var builder = new TestImageBuilder { EditBlob = (i, blob) => i == 1 ? [.. blob[..^1], (byte)(blob[^1] ^ 1)] : blob };
        // A plain tar whose last (padding) byte changed: still a valid tar, so only the digest can tell.
        builder.Layer(await ImageTestData.BaseAsync()).Layer(await ImageTestData.TopAsync(), "none").WriteLayout(_temp["image"]);
        using OciImage image = await OciImage.OpenAsync(_temp["image"]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ImageUnpacker.UnpackAsync(image, _temp["store"], _store));

        Assert.StartsWith("layer 1 (sha256:", e.Message, StringComparison.Ordinal);
        Assert.Contains("tampered", e.Message, StringComparison.Ordinal);
        AssertOnlyComplete(image.Layers[0]);
    }

    [Fact]
    public async Task ADiffIdThatDoesNotMatchIsRefused()
    {
        var builder = new TestImageBuilder { EditConfig = c => c["rootfs"]!["diff_ids"]![0] = "sha256:" + new string('0', 64) };
        builder.Layer(await ImageTestData.BaseAsync(), "zstd").WriteLayout(_temp["image"]);
        using OciImage image = await OciImage.OpenAsync(_temp["image"]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ImageUnpacker.UnpackAsync(image, _temp["store"], _store));

        Assert.Contains("diff_id", e.Message, StringComparison.Ordinal);
        AssertOnlyComplete();
    }

    [Fact]
    public async Task AManifestNamingAMissingBlobIsRefused()
    {
        new TestImageBuilder().Layer(await ImageTestData.BaseAsync(), omitBlob: true).WriteLayout(_temp["image"]);
        using OciImage image = await OciImage.OpenAsync(_temp["image"]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ImageUnpacker.UnpackAsync(image, _temp["store"], _store));

        Assert.Contains("is not in the image", e.Message, StringComparison.Ordinal);
        AssertOnlyComplete();
    }

    [Theory]
    [InlineData("sha256:../../canary")]
    [InlineData("sha256:/etc/passwd")]
    [InlineData("../../../canary")]
    [InlineData("sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    public async Task ADigestThatWouldLeaveTheLayoutIsRefused(string digest)
    {
        var builder = new TestImageBuilder { EditIndex = i => i["manifests"]![0]!["digest"] = digest };
        builder.Layer(await ImageTestData.BaseAsync()).WriteLayout(_temp["image"]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => OciImage.OpenAsync(_temp["image"]));

        Assert.Contains("not a valid digest", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALayerDigestThatWouldLeaveTheLayoutIsRefused()
    {
        var builder = new TestImageBuilder { EditManifest = m => m["layers"]![0]!["digest"] = "sha256:../../../canary" };
        builder.Layer(await ImageTestData.BaseAsync()).WriteLayout(_temp["image"]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => OciImage.OpenAsync(_temp["image"]));

        Assert.Contains("layer 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABlobThatIsALinkOutOfTheLayoutIsRefused()
    {
        byte[] tar = await ImageTestData.BaseAsync();
        new TestImageBuilder().Layer(tar).WriteLayout(_temp["image"]);
        string blob = _temp["image/blobs/sha256/" + TestImageBuilder.Sha256(TestImageBuilder.Compress(tar, "gzip"))[7..]];
        File.Move(blob, _temp["outside"]);
        File.CreateSymbolicLink(blob, _temp["outside"]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => OciImage.OpenAsync(_temp["image"]));

        Assert.Contains("link", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside.json")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../x")]
    [InlineData("C:\\Windows\\x")]
    public async Task ADockerManifestPathThatWouldLeaveTheArchiveIsRefused(string path)
    {
        var manifest = new JsonArray(new JsonObject { ["Config"] = path, ["RepoTags"] = new JsonArray("x:1"), ["Layers"] = new JsonArray() });
        Directory.CreateDirectory(_temp["saved"]);
        File.WriteAllText(_temp["saved/manifest.json"], manifest.ToJsonString());
        File.WriteAllText(_temp["outside.json"], "{}");

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => OciImage.OpenAsync(_temp["saved"]));

        Assert.Contains("not a relative path inside the image", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADockerLayerPathThatWouldLeaveTheArchiveIsRefused()
    {
        byte[] config = System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["os"] = "windows",
            ["architecture"] = "amd64",
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray("sha256:" + new string('a', 64)) },
        }.ToJsonString());
        Directory.CreateDirectory(_temp["saved"]);
        File.WriteAllBytes(_temp["saved/config.json"], config);
        File.WriteAllText(_temp["saved/manifest.json"], new JsonArray(new JsonObject { ["Config"] = "config.json", ["Layers"] = new JsonArray("../canary") }).ToJsonString());

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => OciImage.OpenAsync(_temp["saved"]));

        Assert.Contains("manifest.json: layer 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a relative path inside the image", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADecompressionBombIsStoppedBeforeItFillsTheDisk()
    {
        // 300 MiB of zeros gzip to ~300 KiB: over the default 200:1 ratio once past the 256 MiB floor.
        string zeros = _temp["zeros"];
        using (var file = File.Create(zeros))
        using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Optimal))
        {
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < 300; i++)
            {
                gzip.Write(chunk);
            }
        }

        byte[] blob = await File.ReadAllBytesAsync(zeros);
        var builder = new TestImageBuilder { EditBlob = (_, _) => blob };
        builder.EditManifest = m =>
        {
            m["layers"]![0]!["digest"] = TestImageBuilder.Sha256(blob);
            m["layers"]![0]!["size"] = blob.Length;
        };
        builder.Layer(LayerTars.Empty).WriteLayout(_temp["image"]);
        TestImageBuilder.WriteBlob(_temp["image"], blob);
        using OciImage image = await OciImage.OpenAsync(_temp["image"]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ImageUnpacker.UnpackAsync(image, _temp["store"], _store));

        Assert.Contains("decompression bomb", e.Message, StringComparison.Ordinal);
        AssertOnlyComplete();
        var small = new ImageReadOptions { MaxLayerSize = 1 << 20 };
        e = await Assert.ThrowsAsync<InvalidDataException>(() => ImageUnpacker.UnpackAsync(image, _temp["store"], _store, small));
        Assert.Contains("MaxLayerSize", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATruncatedArchiveIsNotAnImage()
    {
        await File.WriteAllBytesAsync(_temp["junk.tar"], [.. Enumerable.Repeat((byte)'x', 700)]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => OciImage.OpenAsync(_temp["junk.tar"]));

        Assert.Contains("not an image", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The store has exactly the complete layers given, and the canary next to it is untouched.</summary>
    private void AssertOnlyComplete(params ImageLayer[] layers)
    {
        string[] expected = [.. layers.Select(l => ImageUnpacker.LayerFolderName(l.DiffId)).Order(StringComparer.Ordinal)];
        string[] actual = Directory.Exists(_temp["store"])
            ? [.. Directory.EnumerateFileSystemEntries(_temp["store"], "*", new EnumerationOptions { AttributesToSkip = 0 }).Select(Path.GetFileName).Order(StringComparer.Ordinal)!]
            : [];
        Assert.Equal(expected, actual);
        foreach (ImageLayer layer in layers)
        {
            Assert.True(_store.LayerExists(_temp["store/" + ImageUnpacker.LayerFolderName(layer.DiffId)]));
        }

        Assert.Equal("untouched", File.ReadAllText(_temp["canary"]));
        Assert.Equal(["canary", "image", "store"], Directory.EnumerateFileSystemEntries(_temp.Path).Select(Path.GetFileName).Where(n => n is not ("zeros" or "outside")).Order(StringComparer.Ordinal));
    }
}
