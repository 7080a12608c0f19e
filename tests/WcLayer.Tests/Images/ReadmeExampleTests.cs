using WcLayer.Images;
using WcLayer.Oci;
using WcLayer.Portable;
using WcLayer.Tests.Cli;

namespace WcLayer.Tests.Images;

/// <summary>The README's library example, run as written (with a portable store in a temporary folder).</summary>
public sealed class ReadmeExampleTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task TakeAnImageAddALayerAndFilesWriteTheNewImages()
    {
        CancellationToken ct = CancellationToken.None;
        new TestImageBuilder().Layer(await ImageTestData.BaseAsync()).WriteLayout(_temp["myimage"]);
        await File.WriteAllBytesAsync(_temp["app.tar"], await ImageTestData.TopAsync());
        Directory.CreateDirectory(_temp["publish"]);
        await File.WriteAllTextAsync(_temp["publish/app.dll"], "MZ", ct);
        // The README's relative paths, made absolute: the current directory is shared by tests running in parallel.
        string myimage = _temp["myimage"], storeFolder = _temp["store"], appTar = _temp["app.tar"], appLayer = _temp["app-layer"], publish = _temp["publish"];
        ILayerStore store = new PortableLayerStore();

        using OciImage image = await OciImage.OpenAsync(myimage, ImageSelector.For("1.0", ImagePlatform.Parse("windows/amd64:10.0.20348")));
        UnpackedImage unpacked = await ImageUnpacker.UnpackAsync(image, storeFolder, store, progress: null, cancellationToken: ct);
        await using (FileStream tar = File.OpenRead(appTar))
        {
            await OciLayer.ImportLayerFromTarAsync(tar, appLayer, unpacked.Chain, store, cancellationToken: ct);
        }

        CommittedImage committed = await ImageCommitter.CommitLayerAsync(image, appLayer, unpacked.Chain, myimage,
            store, new ImageCommitOptions { Tag = "2.0", CreatedBy = "COPY app C:\\app" }, cancellationToken: ct);
        await ImageAppender.AppendAsync(image, [publish], @"C:\app", myimage, new() { Tag = "3.0" }, cancellationToken: ct);

        using OciImage two = await OciImage.OpenAsync(myimage, ImageSelector.For("2.0"));
        using OciImage three = await OciImage.OpenAsync(myimage, ImageSelector.For("3.0"));
        Assert.Equal(committed.DiffId, two.Layers[^1].DiffId);
        Assert.Equal(2, three.Layers.Count);
    }
}
