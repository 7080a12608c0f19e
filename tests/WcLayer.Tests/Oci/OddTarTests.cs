using System.Formats.Tar;
using WcLayer.Oci;
using WcLayer.Tests.Portable;
using static WcLayer.Tests.Oci.HostileTarTests;

namespace WcLayer.Tests.Oci;

/// <summary>
/// Odd but valid-looking tars (issue 8 item 4) are refused with an error naming the entry instead of being dropped or
/// altered silently; nothing is left in the store.
/// </summary>
public sealed class OddTarTests : IDisposable
{
    private static readonly (string, TarEntryType, string?, Dictionary<string, string>?) FilesDir = ("Files", TarEntryType.Directory, null, null);

    private readonly StoreFixture _store = new();

    public void Dispose() => _store.Dispose();

    private async Task<InvalidDataException> ImportIntoStoreFailsAsync(byte[] tar)
    {
        string path = _store.PathOf("layer");
        InvalidDataException e = await Assert.ThrowsAsync<InvalidDataException>(
            () => OciLayer.ImportLayerFromTarAsync(new MemoryStream(tar), path, [], _store.Store));
        Assert.False(_store.Store.LayerExists(path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_store.Root));
        return e;
    }

    [Theory]
    [InlineData("Other/x")]
    [InlineData("layerchain.json")]
    [InlineData("wclayer.json")]
    [InlineData("tombstones.txt")]
    [InlineData("files/x")]
    public async Task Top_level_names_other_than_the_three_are_refused(string name)
    {
        InvalidDataException e = await ImportIntoStoreFailsAsync(Tar(FilesDir, (name, TarEntryType.RegularFile, null, null)));

        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Files/, Hives/ and UtilityVM/", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_twice_is_refused_naming_both_kinds()
    {
        byte[] tar = Tar(FilesDir, ("Files/a", TarEntryType.RegularFile, null, null), ("Files/h", TarEntryType.HardLink, "Files/a", null), ("Files/h", TarEntryType.RegularFile, null, null));

        InvalidDataException e = await ImportIntoStoreFailsAsync(tar);

        Assert.Contains("'Files/h'", e.Message, StringComparison.Ordinal);
        Assert.Contains("first as a hard link, now as a file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_whiteout_and_a_new_entry_of_the_same_name_are_fine()
    {
        string base0 = _store.Layer("base", [], "f:a=1");
        byte[] tar = Tar(FilesDir, ("Files/.wh.a", TarEntryType.RegularFile, null, null), ("Files/a", TarEntryType.Directory, null, null));

        await OciLayer.ImportLayerFromTarAsync(new MemoryStream(tar), _store.PathOf("child"), [base0], _store.Store);

        Assert.True(_store.Store.LayerExists(_store.PathOf("child")));
    }

    [Fact]
    public async Task A_file_with_the_directory_attribute_is_refused()
    {
        byte[] tar = Tar(FilesDir, ("Files/a", TarEntryType.RegularFile, null, new() { ["MSWINDOWS.fileattr"] = "48" }));

        InvalidDataException e = await ImportIntoStoreFailsAsync(tar);

        Assert.Contains("'Files/a'", e.Message, StringComparison.Ordinal);
        Assert.Contains("FILE_ATTRIBUTE_DIRECTORY", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_without_the_directory_attribute_is_refused()
    {
        byte[] tar = Tar(FilesDir, ("Files/d", TarEntryType.Directory, null, new() { ["MSWINDOWS.fileattr"] = "32" }));

        InvalidDataException e = await ImportIntoStoreFailsAsync(tar);

        Assert.Contains("'Files/d'", e.Message, StringComparison.Ordinal);
        Assert.Contains("lack FILE_ATTRIBUTE_DIRECTORY", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_extended_attribute_with_an_empty_name_is_refused()
    {
        byte[] tar = Tar(FilesDir, ("Files/a", TarEntryType.RegularFile, null, new() { ["MSWINDOWS.xattr."] = "AAEC" }));

        InvalidDataException e = await ImportIntoStoreFailsAsync(tar);

        Assert.Contains("'Files/a'", e.Message, StringComparison.Ordinal);
        Assert.Contains("empty name", e.Message, StringComparison.Ordinal);
    }
}
