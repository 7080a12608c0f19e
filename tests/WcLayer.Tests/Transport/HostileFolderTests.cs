using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Tests.Transport;

/// <summary>Export folders that try to lead the reader outside them.</summary>
public sealed class HostileFolderTests : IDisposable
{
    private readonly TransportTestFolder _folder = new();

    public void Dispose()
    {
        _folder.AssertCanaryUntouched();
        _folder.Dispose();
    }

    private static void Drain(string folder)
    {
        using var reader = new TransportLayerReader(folder);
        var buffer = new byte[4096];
        while (reader.Next() is not null)
        {
            while (reader.Read(buffer) > 0)
            {
            }
        }
    }

    [Fact]
    public void SymlinkedFileIsRefused()
    {
        Directory.CreateDirectory(Path.Combine(_folder.Layer, "Files"));
        File.CreateSymbolicLink(Path.Combine(_folder.Layer, "Files", "evil"), Path.Combine(_folder.Canary, "secret"));
        var e = Assert.Throws<LayerPathException>(() => Drain(_folder.Layer));
        Assert.Equal(Win32Error.ReparsePointEncountered, e.ErrorCode);
    }

    [Fact]
    public void SymlinkedDirectoryIsNotEntered()
    {
        Directory.CreateSymbolicLink(Path.Combine(_folder.Layer, "Files"), _folder.Canary);
        var e = Assert.Throws<LayerPathException>(() => Drain(_folder.Layer));
        Assert.Equal(Win32Error.ReparsePointEncountered, e.ErrorCode);
    }

    [Fact]
    public void SymlinkedHivesFileIsRefused()
    {
        Directory.CreateDirectory(Path.Combine(_folder.Layer, "Hives"));
        File.CreateSymbolicLink(Path.Combine(_folder.Layer, "Hives", "Sam_Delta"), Path.Combine(_folder.Canary, "secret"));
        Assert.Equal(Win32Error.ReparsePointEncountered, Assert.Throws<LayerPathException>(() => Drain(_folder.Layer)).ErrorCode);
    }

    [Theory]
    [InlineData("\\..\\..\\canary\\secret")]
    [InlineData("\\a:b")]
    [InlineData("x")]
    [InlineData("Version 1.0")]
    public void BadTombstonesAreInvalidData(string line)
    {
        File.WriteAllText(Path.Combine(_folder.Layer, "tombstones.txt"), "\uFEFFVersion 1.0\n" + line + "\n");
        Assert.Throws<InvalidDataException>(() => new TransportLayerReader(_folder.Layer).Dispose());
    }

    [Theory]
    [InlineData("Version 1.0\n")]
    [InlineData("")]
    public void TombstonesWithoutHeaderAreInvalid(string text)
    {
        File.WriteAllText(Path.Combine(_folder.Layer, "tombstones.txt"), text);
        Assert.Contains("invalid tombstones file", Assert.Throws<InvalidDataException>(() => new TransportLayerReader(_folder.Layer).Dispose()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingTombstonesFileFailsOnlyWhenRequired()
    {
        new TransportLayerReader(_folder.Layer).Dispose();
        var e = Assert.Throws<LayerPathException>(() => new TransportLayerReader(_folder.Layer, new TransportLayerReaderOptions { RequireTombstonesFile = true }).Dispose());
        Assert.Equal(Win32Error.FileNotFound, e.ErrorCode);
    }

    [Fact]
    public void TruncatedTransportFileIsInvalidData()
    {
        Directory.CreateDirectory(Path.Combine(_folder.Layer, "Files"));
        File.WriteAllBytes(Path.Combine(_folder.Layer, "Files", "short"), [1, 2]);
        Assert.Throws<InvalidDataException>(() => Drain(_folder.Layer));
        File.WriteAllBytes(Path.Combine(_folder.Layer, "Files", "short"), [0x20, 0, 0, 0, 1, 0, 0, 0, 9]);
        Assert.Throws<InvalidDataException>(() => Drain(_folder.Layer));
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("a\\..\\..\\canary")]
    public void NamesWindowsCannotHoldAreInvalidData(string name)
    {
        Directory.CreateDirectory(Path.Combine(_folder.Layer, "Files"));
        File.WriteAllBytes(Path.Combine(_folder.Layer, "Files", name), [0x20, 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => Drain(_folder.Layer));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RecycleBinIsSkipped()
    {
        Directory.CreateDirectory(Path.Combine(_folder.Layer, "Files", "$RECYCLE.BIN"));
        File.WriteAllBytes(Path.Combine(_folder.Layer, "Files", "$RECYCLE.BIN", "junk"), [1]);
        using var reader = new TransportLayerReader(_folder.Layer);
        Assert.Equal("Files", reader.Next()!.Name);
        Assert.Null(reader.Next());
    }

    [Fact]
    public void FileSystemWithoutExtendedAttributesIsAClearError()
    {
        // ramfs has no user extended attributes; mounting it needs root, so the test says when it cannot run.
        string mount = Path.Combine(_folder.Root, "ramfs");
        Directory.CreateDirectory(mount);
        if (!TryRun("mount", "-t", "ramfs", "none", mount))
        {
            Console.WriteLine("skipped: cannot mount ramfs here (needs root)");
            return;
        }

        try
        {
            using var writer = new TransportLayerWriter(mount, [], mount, new TransportLayerWriterOptions { ImportFolderIsLayer = true });
            var e = Assert.Throws<LayerPathException>(() => writer.Add("Files", new FileBasicInfo(1, 2, 3, 4, FileAttributes.Directory)));
            Assert.Equal(Win32Error.EasNotSupported, e.ErrorCode);
            Assert.Contains("does not support user extended attributes", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            TryRun("umount", mount);
        }
    }

    private static bool TryRun(string file, params string[] args)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
