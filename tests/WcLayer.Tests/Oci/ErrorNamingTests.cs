using System.Formats.Tar;
using WcLayer.Oci;
using WcLayer.Tests.Portable;
using static WcLayer.Tests.Oci.HostileTarTests;

namespace WcLayer.Tests.Oci;

/// <summary>
/// Every import failure names the tar entry in plain words (issue 8 item 9): never a store-internal temporary path,
/// never a bare <see cref="OverflowException"/> or <see cref="ArgumentException"/>.
/// </summary>
public sealed class ErrorNamingTests : IDisposable
{
    private static readonly (string, TarEntryType, string?, Dictionary<string, string>?) FilesDir = ("Files", TarEntryType.Directory, null, null);

    private readonly StoreFixture _store = new();

    public void Dispose() => _store.Dispose();

    public static TheoryData<string, string> Cases => new()
    {
        { "long-name", "Files/" + new string('n', 300) },
        { "link-to-directory", "Files/link" },
        { "pax-number-overflow", "Files/a" },
        { "huge-ea", "Files/a" },
        { "huge-link-target", "Files/s" },
        { "bad-time", "Files/a" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_error_names_the_entry_and_no_internal_path(string kind, string entry)
    {
        byte[] tar = kind switch
        {
            "long-name" => Tar(FilesDir, (entry, TarEntryType.RegularFile, null, null)),
            "link-to-directory" => Tar(FilesDir, ("Files/d", TarEntryType.Directory, null, null), (entry, TarEntryType.HardLink, "Files/d", null)),
            "pax-number-overflow" => Tar(FilesDir, (entry, TarEntryType.RegularFile, null, new() { ["MSWINDOWS.fileattr"] = "99999999999999999999999" })),
            "huge-ea" => Tar(FilesDir, (entry, TarEntryType.RegularFile, null, new() { ["MSWINDOWS.xattr.BIG"] = Convert.ToBase64String(new byte[70_000]) })),
            "huge-link-target" => Tar(FilesDir, (entry, TarEntryType.SymbolicLink, new string('t', 40_000), null)),
            "bad-time" => Tar(FilesDir, (entry, TarEntryType.RegularFile, null, new() { ["LIBARCHIVE.creationtime"] = "99999999999999999999.5" })),
            _ => throw new ArgumentException(kind),
        };
        string path = _store.PathOf("layer");

        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => OciLayer.ImportLayerFromTarAsync(new MemoryStream(tar), path, [], _store.Store));

        Assert.True(e is InvalidDataException or IOException, $"{kind}: {e.GetType().Name}: {e.Message}");
        string named = entry[..Math.Min(entry.Length, 40)];
        Assert.True(e.Message.Contains(named, StringComparison.Ordinal) || e.Message.Contains(named.Replace('/', '\\'), StringComparison.Ordinal), $"{kind}: {e.Message}");
        Assert.DoesNotContain(".wclayer-tmp-", e.Message, StringComparison.Ordinal);
        Assert.False(_store.Store.LayerExists(path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_store.Root));
    }
}
