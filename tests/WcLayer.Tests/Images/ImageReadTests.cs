using System.Text.Json.Nodes;
using WcLayer.Images;
using WcLayer.Oci;
using WcLayer.Portable;
using WcLayer.Tests.Cli;

namespace WcLayer.Tests.Images;

/// <summary>Reading OCI layouts and unpacking them into a store: compressions, platforms, foreign layers, sharing.</summary>
public sealed class ImageReadTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly PortableLayerStore _store = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("gzip")]
    [InlineData("zstd")]
    [InlineData("none")]
    public async Task UnpackImportsEveryLayerAsTheTarSaid(string compression)
    {
        byte[] baseTar = await ImageTestData.BaseAsync();
        byte[] topTar = await ImageTestData.TopAsync();
        new TestImageBuilder().Layer(baseTar, compression).Layer(topTar, compression).WriteLayout(_temp["image"]);

        using OciImage image = await OciImage.OpenAsync(_temp["image"]);
        Assert.Equal(ImageFormat.OciLayout, image.Format);
        Assert.Equal(new ImagePlatform("windows", "amd64", TestImageBuilder.WindowsVersion), image.Platform);
        Assert.Equal("1.0", image.Tag);
        Assert.Equal([TestImageBuilder.Sha256(baseTar), TestImageBuilder.Sha256(topTar)], image.Layers.Select(l => l.DiffId.ToString()));

        UnpackedImage unpacked = await ImageUnpacker.UnpackAsync(image, _temp["store"], _store);
        Assert.All(unpacked.Layers, l => Assert.True(l.Imported));
        Assert.Equal(_temp["store/sha256-" + TestImageBuilder.Sha256(topTar)[7..]], unpacked.Chain[0]);
        Assert.Equal(await LayerTars.DescribeAsync(baseTar), await ExportAsync(unpacked.Chain[1], []));
        Assert.Equal(await LayerTars.DescribeAsync(topTar), await ExportAsync(unpacked.Chain[0], [unpacked.Chain[1]]));
    }

    [Fact]
    public async Task ALayerAlreadyInTheStoreIsSharedNotImportedAgain()
    {
        byte[] baseTar = await ImageTestData.BaseAsync();
        new TestImageBuilder().Layer(baseTar).WriteLayout(_temp["a"]);
        new TestImageBuilder().Layer(baseTar, "zstd").Layer(await ImageTestData.TopAsync()).WriteLayout(_temp["b"]);
        using OciImage a = await OciImage.OpenAsync(_temp["a"]);
        using OciImage b = await OciImage.OpenAsync(_temp["b"]);

        UnpackedImage first = await ImageUnpacker.UnpackAsync(a, _temp["store"], _store);
        DateTime stamp = Directory.GetLastWriteTimeUtc(first.Chain[0]);
        UnpackedImage second = await ImageUnpacker.UnpackAsync(b, _temp["store"], _store);

        Assert.Equal([false, true], second.Layers.Select(l => l.Imported));
        Assert.Equal(first.Chain[0], second.Chain[1]);
        Assert.Equal(stamp, Directory.GetLastWriteTimeUtc(first.Chain[0]));
        Assert.Equal(2, Directory.GetDirectories(_temp["store"]).Length);
    }

    [Fact]
    public async Task AForeignLayerWithoutItsBlobIsFineUntilItIsNeeded()
    {
        new TestImageBuilder().Layer(await ImageTestData.BaseAsync(), foreign: true, omitBlob: true).Layer(await ImageTestData.TopAsync()).WriteLayout(_temp["image"]);
        using OciImage image = await OciImage.OpenAsync(_temp["image"]);
        Assert.True(image.Layers[0].IsForeign);
        Assert.False(image.Layers[0].HasBlob);
        Assert.True(image.Layers[1].HasBlob);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ImageUnpacker.UnpackAsync(image, _temp["store"], _store));
        Assert.Contains("foreign layer", e.Message, StringComparison.Ordinal);
        Assert.Contains("https://mcr.microsoft.com/", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_temp["store"]));
    }

    [Fact]
    public async Task AnIndexOfSeveralWindowsBuildsNeedsTheOsVersion()
    {
        byte[] tar = await ImageTestData.BaseAsync();
        string older = new TestImageBuilder { OsVersion = "10.0.17763.5458", Tag = null }.Layer(tar).WriteLayout(_temp["image"]);
        string newer = new TestImageBuilder { Tag = null }.Layer(tar, "zstd").WriteLayout(_temp["image"]);
        string linux = new TestImageBuilder { Os = "linux", OsVersion = "", Tag = null }.Layer(LayerTars.Empty).WriteLayout(_temp["image"]);
        JsonObject Entry(string digest, string os, string? version) => new()
        {
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["digest"] = digest,
            ["size"] = new FileInfo(_temp["image/blobs/sha256/" + digest[7..]]).Length,
            ["platform"] = version is null ? new JsonObject { ["architecture"] = "amd64", ["os"] = os } : new JsonObject { ["architecture"] = "amd64", ["os"] = os, ["os.version"] = version },
        };
        var nested = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(Entry(older, "windows", "10.0.17763.5458"), Entry(newer, "windows", TestImageBuilder.WindowsVersion), Entry(linux, "linux", null)),
        };
        byte[] nestedBytes = System.Text.Encoding.UTF8.GetBytes(nested.ToJsonString());
        string nestedDigest = TestImageBuilder.WriteBlob(_temp["image"], nestedBytes);
        File.WriteAllText(_temp["image/index.json"], new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.index.v1+json",
                ["digest"] = nestedDigest,
                ["size"] = nestedBytes.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = "servercore" },
            }),
        }.ToJsonString());

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => OciImage.OpenAsync(_temp["image"]));
        Assert.Contains("os.version", e.Message, StringComparison.Ordinal);
        using OciImage ltsc2022 = await OciImage.OpenAsync(_temp["image"], ImageSelector.For("servercore", ImagePlatform.Parse("windows/amd64:10.0.20348")));
        Assert.Equal(newer, ltsc2022.ManifestDescriptor!.Digest.ToString());
        using OciImage ltsc2019 = await OciImage.OpenAsync(_temp["image"], ImageSelector.For(older));
        Assert.Equal("10.0.17763.5458", ltsc2019.Platform!.OsVersion);
        using OciImage linuxImage = await OciImage.OpenAsync(_temp["image"], ImageSelector.For(null, ImagePlatform.Parse("linux/amd64")));
        Assert.Equal(linux, linuxImage.ManifestDescriptor!.Digest.ToString());
        await Assert.ThrowsAsync<InvalidDataException>(() => OciImage.OpenAsync(_temp["image"], ImageSelector.For("nanoserver")));
    }

    [Fact]
    public async Task ADockerSaveArchiveWithClassicLayerPathsIsRead()
    {
        byte[] baseTar = await ImageTestData.BaseAsync();
        byte[] topTar = await ImageTestData.TopAsync();
        var config = new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "windows",
            ["os.version"] = TestImageBuilder.WindowsVersion,
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(TestImageBuilder.Sha256(baseTar), TestImageBuilder.Sha256(topTar)) },
        };
        byte[] configBytes = System.Text.Encoding.UTF8.GetBytes(config.ToJsonString());
        string configName = TestImageBuilder.Sha256(configBytes)[7..] + ".json";
        string baseDiff = TestImageBuilder.Sha256(baseTar);
        var manifest = new JsonArray(new JsonObject
        {
            ["Config"] = configName,
            ["RepoTags"] = new JsonArray("mcr.microsoft.com/windows/servercore:ltsc2022"),
            ["Layers"] = new JsonArray("aaaa/layer.tar", "bbbb/layer.tar"),
            ["LayerSources"] = new JsonObject
            {
                [baseDiff] = new JsonObject
                {
                    ["mediaType"] = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                    ["digest"] = TestImageBuilder.Sha256(TestImageBuilder.Compress(baseTar, "gzip")),
                    ["size"] = 1234,
                    ["urls"] = new JsonArray("https://mcr.microsoft.com/x"),
                },
            },
        });
        using (var file = File.Create(_temp["saved.tar"]))
        using (var writer = new System.Formats.Tar.TarWriter(file))
        {
            void Add(string name, byte[] data) => writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            Add("manifest.json", System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            Add(configName, configBytes);
            Add("bbbb/layer.tar", topTar);
        }

        using OciImage image = await OciImage.OpenAsync(_temp["saved.tar"], ImageSelector.For("servercore:ltsc2022"));
        Assert.Equal(ImageFormat.DockerArchive, image.Format);
        Assert.True(image.Layers[0].IsForeign);
        Assert.False(image.Layers[0].HasBlob);
        Assert.Equal(ImageMediaTypes.OciForeignLayerGzip, image.Layers[0].Descriptor.MediaType);
        Assert.Equal(TestImageBuilder.Sha256(topTar), image.Layers[1].Descriptor.Digest.ToString());
        await using LayerContent content = image.OpenLayer(image.Layers[1]);
        using var copy = new MemoryStream();
        await content.Tar.CopyToAsync(copy);
        await content.VerifyToEndAsync();
        Assert.Equal(topTar, copy.ToArray());
    }

    private async Task<string[]> ExportAsync(string layer, string[] parents)
    {
        using var tar = new MemoryStream();
        await OciLayer.ExportLayerToTarAsync(tar, layer, parents, _store);
        return await LayerTars.DescribeAsync(tar.ToArray());
    }

    internal static byte[] Gzip(byte[] data) => TestImageBuilder.Compress(data, "gzip");
}
