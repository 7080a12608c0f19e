using System.Text.Json.Nodes;
using WcLayer.Images;
using WcLayer.Oci;
using WcLayer.Portable;
using WcLayer.Tests.Cli;

namespace WcLayer.Tests.Images;

/// <summary>Committing a layer as a new image, and the real clients' view of what is written.</summary>
public sealed class ImageCommitTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly PortableLayerStore _store = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    public async Task UnpackCommitUnpackGivesTheDiffOnTheSharedBase(LayerCompression compression)
    {
        (OciImage baseImage, UnpackedImage unpacked, string diffLayer, byte[] diffTar) = await BaseAndDiffAsync();
        using OciImage _ = baseImage;

        CommittedImage committed = await ImageCommitter.CommitLayerAsync(baseImage, diffLayer, unpacked.Chain, _temp["out"], _store, new ImageCommitOptions { Compression = compression, Tag = "2.0", CreatedBy = "test" });

        using OciImage image = await OciImage.OpenAsync(_temp["out"], ImageSelector.For("2.0"));
        Assert.Equal(baseImage.Platform, image.Platform);
        Assert.Equal([.. baseImage.Layers.Select(l => l.DiffId), committed.DiffId], image.Layers.Select(l => l.DiffId));
        using (var exported = new MemoryStream())
        {
            await OciLayer.ExportLayerToTarAsync(exported, diffLayer, unpacked.Chain, _store);
            Assert.Equal(TestImageBuilder.Sha256(exported.ToArray()), committed.DiffId.ToString());
        }

        JsonObject config = image.Config;
        Assert.Equal("test", config["history"]!.AsArray()[^1]!["created_by"]!.GetValue<string>());
        Assert.Equal(TestImageBuilder.WindowsVersion, config["os.version"]!.GetValue<string>());
        Assert.Equal("cmd.exe", config["config"]!["Cmd"]![0]!.GetValue<string>());

        // Into the same store: the base is shared; into a fresh one: every layer is there and the new one is the diff.
        UnpackedImage shared = await ImageUnpacker.UnpackAsync(image, _temp["store"], _store);
        Assert.Equal([false, true], shared.Layers.Select(l => l.Imported));
        UnpackedImage fresh = await ImageUnpacker.UnpackAsync(image, _temp["fresh"], _store);
        Assert.All(fresh.Layers, l => Assert.True(l.Imported));
        Assert.Equal(await LayerTars.DescribeAsync(diffTar), await ExportAsync(fresh.Chain[0], [fresh.Chain[1]]));
        Assert.Equal(await LayerTars.DescribeAsync(await ImageTestData.BaseAsync()), await ExportAsync(fresh.Chain[1], []));
    }

    [Fact]
    public async Task CommittingIntoTheBaseLayoutAddsTheImageAndKeepsTheOld()
    {
        (OciImage baseImage, UnpackedImage unpacked, string diffLayer, _) = await BaseAndDiffAsync();
        using (baseImage)
        {
            await ImageCommitter.CommitLayerAsync(baseImage, diffLayer, unpacked.Chain, _temp["image"], _store, new ImageCommitOptions { Tag = "2.0" });
        }

        using OciImage old = await OciImage.OpenAsync(_temp["image"], ImageSelector.For("1.0"));
        using OciImage added = await OciImage.OpenAsync(_temp["image"], ImageSelector.For("2.0"));
        Assert.Single(old.Layers);
        Assert.Equal(2, added.Layers.Count);
        Assert.Empty(Directory.GetFiles(_temp["image/blobs/sha256"], ".*"));
    }

    [Fact]
    public async Task AForeignBaseLayerIsKeptWithoutItsBlob()
    {
        byte[] baseTar = await ImageTestData.BaseAsync();
        new TestImageBuilder().Layer(baseTar, foreign: true, omitBlob: true).WriteLayout(_temp["image"]);
        using OciImage baseImage = await OciImage.OpenAsync(_temp["image"]);
        byte[] diff = await ImageTestData.TopAsync();

        await ImageCommitter.CommitAsync(baseImage, (tar, ct) => tar.WriteAsync(diff, ct).AsTask(), _temp["out"], new ImageCommitOptions { Tag = "2.0" });
        await ImageCommitter.CommitAsync(baseImage, (tar, ct) => tar.WriteAsync(diff, ct).AsTask(), _temp["out.tar"], new ImageCommitOptions { Tag = "x:2.0", OutputFormat = ImageFormat.DockerArchive });

        foreach (string output in new[] { _temp["out"], _temp["out.tar"] })
        {
            using OciImage image = await OciImage.OpenAsync(output);
            Assert.True(image.Layers[0].IsForeign);
            Assert.False(image.Layers[0].HasBlob);
            Assert.Equal(["https://mcr.microsoft.com/v2/windows/blobs/" + baseImage.Layers[0].Descriptor.Digest], image.Layers[0].Descriptor.Urls);
            Assert.True(image.Layers[1].HasBlob);
        }

        using OciImage docker = await OciImage.OpenAsync(_temp["out.tar"]);
        Assert.Equal(ImageFormat.OciArchive, docker.Format);
    }

    [Fact]
    public async Task AMissingNonForeignBaseBlobFailsAndLeavesNoOutput()
    {
        new TestImageBuilder().Layer(await ImageTestData.BaseAsync(), omitBlob: true).WriteLayout(_temp["image"]);
        using OciImage baseImage = await OciImage.OpenAsync(_temp["image"]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ImageCommitter.CommitAsync(baseImage, (tar, ct) => tar.WriteAsync(LayerTars.Empty, ct).AsTask(), _temp["out.tar"], new ImageCommitOptions { OutputFormat = ImageFormat.DockerArchive }));

        Assert.Contains("lacks the blob", e.Message, StringComparison.Ordinal);
        Assert.Equal(["image"], Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName));
    }

    [ExternalToolFact("skopeo")]
    public async Task SkopeoCopiesOurLayoutToADockerArchiveAndBackWithIdenticalLayers()
    {
        (OciImage baseImage, UnpackedImage unpacked, string diffLayer, byte[] diffTar) = await BaseAndDiffAsync();
        using OciImage _ = baseImage;
        await ImageCommitter.CommitLayerAsync(baseImage, diffLayer, unpacked.Chain, _temp["ours"], _store, new ImageCommitOptions { Tag = "2.0" });

        string inspect = await ExternalTool.RunAsync("skopeo", "inspect", "--override-os", "windows", $"oci:{_temp["ours"]}:2.0");
        JsonNode inspected = JsonNode.Parse(inspect)!;
        Assert.Equal("windows", inspected["Os"]!.GetValue<string>());
        Assert.Equal(2, inspected["Layers"]!.AsArray().Count);

        await ExternalTool.RunAsync("skopeo", "copy", "--override-os", "windows", $"oci:{_temp["ours"]}:2.0", $"docker-archive:{_temp["skopeo.tar"]}:example/app:2.0");
        await ExternalTool.RunAsync("skopeo", "copy", "--override-os", "windows", $"docker-archive:{_temp["skopeo.tar"]}", $"oci:{_temp["back"]}:2.0");
        await ExternalTool.RunAsync("skopeo", "inspect", "--override-os", "windows", $"docker-archive:{_temp["skopeo.tar"]}");

        using OciImage ours = await OciImage.OpenAsync(_temp["ours"], ImageSelector.For("2.0"));
        using OciImage archive = await OciImage.OpenAsync(_temp["skopeo.tar"], ImageSelector.For("example/app:2.0"));
        using OciImage back = await OciImage.OpenAsync(_temp["back"], ImageSelector.For("2.0"));
        Assert.Equal(ImageFormat.DockerArchive, archive.Format);
        Assert.Equal(ours.Layers.Select(l => l.DiffId), archive.Layers.Select(l => l.DiffId));
        Assert.Equal(ours.Layers.Select(l => l.DiffId), back.Layers.Select(l => l.DiffId));
        UnpackedImage fromArchive = await ImageUnpacker.UnpackAsync(archive, _temp["store2"], _store);
        UnpackedImage fromBack = await ImageUnpacker.UnpackAsync(back, _temp["store3"], _store);
        Assert.Equal(await LayerTars.DescribeAsync(diffTar), await ExportAsync(fromArchive.Chain[0], [fromArchive.Chain[1]]));
        Assert.Equal(await LayerTars.DescribeAsync(diffTar), await ExportAsync(fromBack.Chain[0], [fromBack.Chain[1]]));

        // Our docker archive, read by skopeo.
        await ImageCommitter.CommitLayerAsync(ours, diffLayer, unpacked.Chain, _temp["ours.tar"], _store, new ImageCommitOptions { Tag = "example/app:3.0", OutputFormat = ImageFormat.DockerArchive });
        await ExternalTool.RunAsync("skopeo", "copy", "--override-os", "windows", $"docker-archive:{_temp["ours.tar"]}", $"oci:{_temp["back2"]}:3.0");
        await ExternalTool.RunAsync("skopeo", "copy", "--override-os", "windows", $"oci-archive:{_temp["ours.tar"]}", $"oci:{_temp["back2"]}:3.1");
        using OciImage back2 = await OciImage.OpenAsync(_temp["back2"], ImageSelector.For("3.0"));
        Assert.Equal([.. ours.Layers.Select(l => l.DiffId), ours.Layers[^1].DiffId], back2.Layers.Select(l => l.DiffId));
    }

    [ExternalToolFact("umoci", "oci-image-tool")]
    public async Task EveryLayoutWeWriteIsValidForUmociAndOciImageTool()
    {
        (OciImage baseImage, UnpackedImage unpacked, string diffLayer, byte[] _) = await BaseAndDiffAsync();
        using OciImage disposeBase = baseImage;
        await ImageCommitter.CommitLayerAsync(baseImage, diffLayer, unpacked.Chain, _temp["ours"], _store, new ImageCommitOptions { Tag = "2.0" });
        await ImageCommitter.CommitLayerAsync(baseImage, diffLayer, unpacked.Chain, _temp["ours"], _store, new ImageCommitOptions { Tag = "2.0-zstd", Compression = LayerCompression.Zstd });
        await ImageCommitter.CommitLayerAsync(baseImage, diffLayer, unpacked.Chain, _temp["image"], _store, new ImageCommitOptions { Tag = "in-place" });

        foreach (string layout in new[] { _temp["ours"], _temp["image"] })
        {
            // oci-image-tool 1.0.0-rc1 (Debian's) predates +zstd (image-spec 1.1), so it checks the gzip images.
            string name = layout == _temp["ours"] ? "2.0" : "in-place";
            await ExternalTool.RunAsync("oci-image-tool", "validate", "--type", "image", "--ref", "name=" + name, layout);
            string refs = await ExternalTool.RunAsync("umoci", "ls", "--layout", layout);
            Assert.Contains(layout == _temp["ours"] ? "2.0" : "in-place", refs, StringComparison.Ordinal);
        }

        string stat = await ExternalTool.RunAsync("umoci", "stat", "--image", _temp["ours"] + ":2.0", "--json");
        Assert.Equal(2, JsonNode.Parse(stat)!["history"]!.AsArray().Count);
    }

    /// <summary>A base image unpacked into the store, and a layer on it holding the sample diff (a whiteout, a hard link, streams).</summary>
    private async Task<(OciImage Base, UnpackedImage Unpacked, string DiffLayer, byte[] DiffTar)> BaseAndDiffAsync()
    {
        new TestImageBuilder().Layer(await ImageTestData.BaseAsync()).WriteLayout(_temp["image"]);
        OciImage baseImage = await OciImage.OpenAsync(_temp["image"]);
        UnpackedImage unpacked = await ImageUnpacker.UnpackAsync(baseImage, _temp["store"], _store);
        byte[] diffTar = await ImageTestData.TopAsync();
        string diffLayer = _temp["layers/diff"];
        Directory.CreateDirectory(_temp["layers"]);
        await OciLayer.ImportLayerFromTarAsync(new MemoryStream(diffTar), diffLayer, unpacked.Chain, _store);
        return (baseImage, unpacked, diffLayer, diffTar);
    }

    private async Task<string[]> ExportAsync(string layer, string[] parents)
    {
        using var tar = new MemoryStream();
        await OciLayer.ExportLayerToTarAsync(tar, layer, parents, _store);
        return await LayerTars.DescribeAsync(tar.ToArray());
    }
}
