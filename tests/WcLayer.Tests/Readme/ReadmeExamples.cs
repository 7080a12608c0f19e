using WcLayer;
using WcLayer.Images;
using WcLayer.Oci;
using WcLayer.Win32;

namespace WcLayer.Tests.Readme;

/// <summary>
/// The C# examples of README.md, compiled here as they are written there (<see cref="ReadmeExampleTests"/> checks the
/// text is the same, block by block, and runs them from a folder holding a copy of <c>samples/</c>).
/// </summary>
internal static class ReadmeExamples
{
    public static async Task TarToLayerAndBackAsync()
    {
        // README example 1
        // Read a layer tar entry by entry: data is streamed, never held in memory.
        await using (FileStream file = File.OpenRead("samples/sample-layer.tar"))
        await using (var tar = new LayerTarReader(file))
        {
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                string sddl = entry.SecurityDescriptor is { } sd ? SecurityDescriptor.FromBinary(sd).ToSddl() : "-";
                Console.WriteLine($"{entry.EntryType} {entry.Name} {entry.Size} {entry.FileInfo.FileAttributes} {sddl}");
            }
        }

        // The sample deletes a file (it has a whiteout), so it is not a base layer: it goes on top of a parent,
        // here an empty base layer. A writer is not committed for you: disposing an uncommitted one discards it.
        ILayerStore store = LayerStore.Default; // HCS on Windows, the portable store elsewhere
        string layers = Directory.CreateTempSubdirectory("layers-").FullName;
        string baseLayer = Path.Combine(layers, "base");
        string sample = Path.Combine(layers, "sample");
        using (ILayerWriter writer = store.NewLayerWriter(baseLayer, []))
        {
            writer.Commit();
        }

        using (ILayerWriter writer = store.NewLayerWriter(sample, [baseLayer]))
        await using (FileStream file = File.OpenRead("samples/sample-layer.tar"))
        {
            long dataBytes = await OciLayer.WriteLayerFromTarAsync(file, writer);
            writer.Commit();
        }

        // A layer back to a tar: deterministic, the same layer always gives the same bytes.
        using (ILayerReader reader = store.NewLayerReader(sample, [baseLayer]))
        await using (FileStream output = File.Create(Path.Combine(layers, "sample.tar")))
        {
            await OciLayer.WriteTarFromLayerAsync(reader, output);
        }

        // SDDL and binary security descriptors, both ways.
        byte[] binary = SecurityDescriptor.Parse("O:BAG:SYD:(A;;FA;;;BA)(A;;FA;;;SY)(A;;0x1200a9;;;BU)").ToBinary();
        string text = SecurityDescriptor.FromBinary(binary).ToSddl();
        // end README example 1
        Assert.Equal("O:BAG:SYD:(A;;FA;;;BA)(A;;FA;;;SY)(A;;0x1200a9;;;BU)", text);
        Assert.Equal(await NamesAsync("samples/sample-layer.tar"), await NamesAsync(Path.Combine(layers, "sample.tar")));
        store.DestroyLayer(sample);
        store.DestroyLayer(baseLayer);
        Directory.Delete(layers, recursive: true);
    }

    public static async Task StoreEndToEndAsync()
    {
        // README example 2
        // A layer store end to end: import a tar on top of a parent, mount a scratch layer, change a file, export
        // the changes.
        ILayerStore store = LayerStore.Default;
        string layers = Directory.CreateTempSubdirectory("layers-").FullName;
        string baseLayer = Path.Combine(layers, "base");
        string child = Path.Combine(layers, "child");
        string scratch = Path.Combine(layers, "scratch");
        using (ILayerWriter writer = store.NewLayerWriter(baseLayer, []))
        {
            writer.Commit(); // an empty base layer
        }

        await using (FileStream tar = File.OpenRead("samples/sample-layer.tar"))
        {
            await OciLayer.ImportLayerFromTarAsync(tar, child, [baseLayer], store);
        }

        string[] parents = [child, baseLayer]; // immediate parent first, base layer last
        store.CreateScratchLayer(scratch, parents);
        store.ActivateLayer(scratch);
        store.PrepareLayer(scratch, parents);
        string root = store.GetLayerMountPath(scratch); // the container's C:\ as a directory
        File.WriteAllText(Path.Combine(root, "hello.txt"), "hi");

        // Unmount before exporting (as with hcsshim): the export activates and deactivates the layer itself.
        store.UnprepareLayer(scratch);
        store.DeactivateLayer(scratch);
        await using (FileStream diff = File.Create(Path.Combine(layers, "diff.tar")))
        {
            await OciLayer.ExportLayerToTarAsync(diff, scratch, parents, store);
        }
        // end README example 2
        Assert.Contains("Files/hello.txt", await NamesAsync(Path.Combine(layers, "diff.tar")));

        store.DestroyLayer(scratch);
        store.DestroyLayer(child);
        store.DestroyLayer(baseLayer);
        Directory.Delete(layers, recursive: true);
    }

    private static async Task<List<string>> NamesAsync(string tarPath)
    {
        var names = new List<string>();
        await using FileStream file = File.OpenRead(tarPath);
        await using var reader = new LayerTarReader(file);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            names.Add(entry.Name);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public static async Task<CommittedImage> ImageAddLayerAsync(CancellationToken ct)
    {
        // README example 3
        using OciImage image = await OciImage.OpenAsync("myimage", ImageSelector.For("1.0", ImagePlatform.Parse("windows/amd64:10.0.20348")));
        UnpackedImage unpacked = await ImageUnpacker.UnpackAsync(image, "store", progress: null, cancellationToken: ct);
        ILayerStore store = LayerStore.Default;
        await using (FileStream tar = File.OpenRead("app.tar"))
        {
            await OciLayer.ImportLayerFromTarAsync(tar, "app-layer", unpacked.Chain, store, cancellationToken: ct);
        }

        CommittedImage committed = await ImageCommitter.CommitLayerAsync(image, "app-layer", unpacked.Chain, "myimage",
            store, new ImageCommitOptions { Tag = "2.0", CreatedBy = "COPY app C:\\app" }, cancellationToken: ct);
        // Or any tar producer: ImageCommitter.CommitAsync(image, (tar, ct) => ..., "out.tar", new() { OutputFormat = ImageFormat.DockerArchive })
        // Or local files: ImageAppender.AppendAsync(image, ["publish"], @"C:\app", "myimage", new() { Tag = "3.0" }, cancellationToken: ct)
        // end README example 3
        await ImageAppender.AppendAsync(image, ["publish"], @"C:\app", "myimage", new() { Tag = "3.0" }, cancellationToken: ct);
        return committed;
    }
}
