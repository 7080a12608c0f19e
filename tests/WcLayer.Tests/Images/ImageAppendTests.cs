using WcLayer.Images;
using WcLayer.Oci;
using WcLayer.Portable;
using WcLayer.Tests.Cli;
using WcLayer.Win32;

namespace WcLayer.Tests.Images;

/// <summary><c>image append</c>: local files as a Windows layer, checked entry by entry and through a real import.</summary>
public sealed class ImageAppendTests : IDisposable
{
    private static readonly DateTimeOffset Created = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTime Written = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    private readonly TempFolder _temp = new();
    private readonly PortableLayerStore _store = new();

    public ImageAppendTests()
    {
        Directory.CreateDirectory(_temp["src/site/css"]);
        File.WriteAllText(_temp["src/site/index.html"], "<html/>");
        File.WriteAllText(_temp["src/site/css/app.css"], "body{}");
        File.WriteAllText(_temp["src/app.exe"], "MZ");
        if (OperatingSystem.IsWindows())
        {
            File.SetAttributes(_temp["src/app.exe"], FileAttributes.ReadOnly);
        }
        else
        {
            File.SetUnixFileMode(_temp["src/app.exe"], UnixFileMode.UserRead | UnixFileMode.GroupRead);
        }

        File.CreateSymbolicLink(_temp["src/site/latest.html"], "index.html");
        foreach (string path in new[] { "src/site/index.html", "src/site/css/app.css", "src/app.exe", "src/site/css", "src/site" })
        {
            File.SetLastWriteTimeUtc(_temp[path], Written);
        }
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task TheLayerHasWhatAWindowsCopyGivesAndNeedsNoBaseBlob()
    {
        // A base whose only layer is foreign and absent: append needs only the manifest and config.
        new TestImageBuilder().Layer(await ImageTestData.BaseAsync(), foreign: true, omitBlob: true).WriteLayout(_temp["image"]);
        using (OciImage baseImage = await OciImage.OpenAsync(_temp["image"]))
        {
            await ImageAppender.AppendAsync(baseImage, [_temp["src/site"], _temp["src/app.exe"]], @"C:\inetpub\wwwroot", _temp["image"], new ImageCommitOptions { Tag = "2.0", Created = Created });
        }

        using OciImage image = await OciImage.OpenAsync(_temp["image"], ImageSelector.For("2.0"));
        Assert.Equal(@"COPY site app.exe C:\inetpub\wwwroot", image.Config["history"]!.AsArray()[^1]!["created_by"]!.GetValue<string>());
        await using LayerContent content = image.OpenLayer(image.Layers[^1]);
        var entries = new List<LayerTarEntry>();
        var data = new Dictionary<string, string>();
        await using (var reader = new LayerTarReader(content.Tar, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                entries.Add(entry);
                if (entry.DataStream is { } stream)
                {
                    data[entry.Name] = await new StreamReader(stream).ReadToEndAsync();
                }
            }
        }

        await content.VerifyToEndAsync();
        Assert.Equal(
            ["Hives", "Files", "Files/inetpub", "Files/inetpub/wwwroot", "Files/inetpub/wwwroot/css", "Files/inetpub/wwwroot/css/app.css",
             "Files/inetpub/wwwroot/index.html", "Files/inetpub/wwwroot/latest.html", "Files/inetpub/wwwroot/app.exe"],
            entries.Select(e => e.Name.TrimEnd('/')));
        LayerTarEntry Named(string name) => entries.Single(e => e.Name.TrimEnd('/') == name);
        Assert.Equal(BuildKitSecurity.Directory.ToArray(), Named("Files/inetpub").SecurityDescriptor);
        Assert.Equal(BuildKitSecurity.File.ToArray(), Named("Files/inetpub/wwwroot/index.html").SecurityDescriptor);
        Assert.Equal(FileAttributes.Directory, Named("Hives").FileInfo.FileAttributes);
        Assert.Equal(Created, Named("Files/inetpub").FileInfo.LastWriteTimeUtc);
        Assert.Equal(FileAttributes.Archive, Named("Files/inetpub/wwwroot/index.html").FileInfo.FileAttributes);
        Assert.Equal(FileAttributes.Archive | FileAttributes.ReadOnly, Named("Files/inetpub/wwwroot/app.exe").FileInfo.FileAttributes);
        Assert.Equal(Written, Named("Files/inetpub/wwwroot/index.html").FileInfo.LastWriteTimeUtc!.Value.UtcDateTime);
        Assert.Equal(Written, Named("Files/inetpub/wwwroot/css").FileInfo.LastWriteTimeUtc!.Value.UtcDateTime);
        Assert.Equal("<html/>", data["Files/inetpub/wwwroot/index.html"]);
        Assert.Equal("MZ", data["Files/inetpub/wwwroot/app.exe"]);
        LayerTarEntry link = Named("Files/inetpub/wwwroot/latest.html");
        Assert.Equal(LayerTarEntryType.SymbolicLink, link.EntryType);
        Assert.Equal("index.html", link.LinkTarget);
    }

    [Fact]
    public async Task TheNewImageUnpacksIntoAStoreOnItsBase()
    {
        new TestImageBuilder().Layer(await ImageTestData.BaseAsync()).WriteLayout(_temp["image"]);
        using (OciImage baseImage = await OciImage.OpenAsync(_temp["image"]))
        {
            await ImageAppender.AppendAsync(baseImage, [_temp["src"]], "C:/app", _temp["out.tar"], new ImageCommitOptions { Tag = "app:1", OutputFormat = ImageFormat.DockerArchive, Compression = LayerCompression.Zstd });
        }

        using OciImage image = await OciImage.OpenAsync(_temp["out.tar"]);
        UnpackedImage unpacked = await ImageUnpacker.UnpackAsync(image, _temp["store"], _store);

        using ILayerReader reader = _store.NewLayerReader(unpacked.Chain[0], [unpacked.Chain[1]]);
        var names = new List<string>();
        while (reader.Next() is { } entry)
        {
            names.Add(entry.Name);
        }

        Assert.Contains(@"Files\app\site\css\app.css", names);
        Assert.Contains(@"Files\app\app.exe", names);
    }

    [Fact]
    public async Task InheritingTakesTheDescriptorsFromTheBaseFolders()
    {
        byte[] baseTar = await ImageTestData.BaseAsync();
        new TestImageBuilder().Layer(baseTar).WriteLayout(_temp["image"]);
        var baseEntries = new Dictionary<string, LayerTarEntry>();
        await using (var baseReader = new LayerTarReader(new MemoryStream(baseTar)))
        {
            while (await baseReader.GetNextEntryAsync() is { } entry)
            {
                baseEntries[entry.Name.TrimEnd('/')] = entry;
            }
        }

        using (OciImage baseImage = await OciImage.OpenAsync(_temp["image"]))
        {
            await ImageAppender.AppendAsync(baseImage, [_temp["src/site"]], @"C:\Windows\web", _temp["image"], new ImageCommitOptions { Tag = "2.0" }, new ImageAppendOptions { InheritSecurity = true });
        }

        using OciImage image = await OciImage.OpenAsync(_temp["image"], ImageSelector.For("2.0"));
        var entries = new Dictionary<string, LayerTarEntry>();
        await using (LayerContent content = image.OpenLayer(image.Layers[^1]))
        await using (var reader = new LayerTarReader(content.Tar, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                entries[entry.Name.TrimEnd('/')] = entry;
            }
        }

        // Folders the base has keep their descriptor and times; new ones inherit, each from its parent.
        Assert.Equal(baseEntries["Files/Windows"].SecurityDescriptor, entries["Files/Windows"].SecurityDescriptor);
        Assert.Equal(baseEntries["Files/Windows"].FileInfo, entries["Files/Windows"].FileInfo);
        Assert.Equal(baseEntries["Files"].SecurityDescriptor, entries["Files"].SecurityDescriptor);
        var owner = Sid.Parse("S-1-5-32-544");
        var group = Sid.Parse("S-1-5-18");
        SecurityDescriptor web = SecurityInheritance.Inherit(SecurityDescriptor.Parse(baseEntries["Files/Windows"].SecurityDescriptor), true, owner, group);
        SecurityDescriptor css = SecurityInheritance.Inherit(web, true, owner, group);
        Assert.Equal(web.ToBinary(), entries["Files/Windows/web"].SecurityDescriptor);
        Assert.Equal(SecurityInheritance.Inherit(web, false, owner, group).ToBinary(), entries["Files/Windows/web/index.html"].SecurityDescriptor);
        Assert.Equal(SecurityInheritance.Inherit(css, false, owner, group).ToBinary(), entries["Files/Windows/web/css/app.css"].SecurityDescriptor);
        Assert.NotEqual(BuildKitSecurity.File.ToArray(), entries["Files/Windows/web/index.html"].SecurityDescriptor);
    }

    [Fact]
    public async Task InheritingNeedsTheBaseBlobs()
    {
        new TestImageBuilder().Layer(await ImageTestData.BaseAsync(), foreign: true, omitBlob: true).WriteLayout(_temp["image"]);
        using OciImage baseImage = await OciImage.OpenAsync(_temp["image"]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ImageAppender.AppendAsync(baseImage, [_temp["src"]], @"C:\app", _temp["image"], null, new ImageAppendOptions { InheritSecurity = true }));

        Assert.Contains("foreign layer", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a:b.txt")]
    [InlineData(".wh.secret")]
    [InlineData("trailing.")]
    public async Task ALocalNameWindowsCannotHoldIsRefusedAndNothingIsWritten(string name)
    {
        File.WriteAllText(_temp["src/site/" + name], "x");
        new TestImageBuilder().Layer(await ImageTestData.BaseAsync()).WriteLayout(_temp["image"]);
        string index = File.ReadAllText(_temp["image/index.json"]);
        using OciImage baseImage = await OciImage.OpenAsync(_temp["image"]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ImageAppender.AppendAsync(baseImage, [_temp["src/site"]], @"C:\app", _temp["image"]));

        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Equal(index, File.ReadAllText(_temp["image/index.json"]));
        Assert.Empty(Directory.GetFiles(_temp["image/blobs/sha256"], ".*"));
    }

    [Theory]
    [InlineData(@"D:\app")]
    [InlineData(@"app")]
    [InlineData(@"C:\app\..\Windows")]
    public async Task ADestinationOutsideCIsRefused(string destination)
    {
        new TestImageBuilder().Layer(await ImageTestData.BaseAsync()).WriteLayout(_temp["image"]);
        using OciImage baseImage = await OciImage.OpenAsync(_temp["image"]);

        await Assert.ThrowsAsync<ArgumentException>(() => ImageAppender.AppendAsync(baseImage, [_temp["src"]], destination, _temp["image"]));
    }

    [Fact]
    public async Task TheCliAppendsAndLists()
    {
        new TestImageBuilder().Layer(await ImageTestData.BaseAsync()).WriteLayout(_temp["image"]);

        CliResult append = await CliRunner.RunAsync(["image", "append", _temp["image"], _temp["src/app.exe"], "--dest", @"C:\tools", "--tag", "2.0"]);
        Assert.Equal((0, string.Empty), (append.ExitCode, append.Error));
        CliResult ls = await CliRunner.RunAsync(["ls", _temp["image"], "--ref", "2.0", "--layer", "1"]);

        Assert.Equal(0, ls.ExitCode);
        Assert.Contains(ls.OutputLines, l => l.EndsWith("Files/tools/app.exe", StringComparison.Ordinal));
    }
}
