using WcLayer.Portable;

namespace WcLayer.Tests.Portable;

public sealed class NameCaseTestsOverlay() : NameCaseTests(ScratchMode.Overlay);

public sealed class NameCaseTestsCopy() : NameCaseTests(ScratchMode.Copy);

/// <summary>Names compare as NTFS compares them: a child's entries, whiteouts and link targets take the spelling its stack already has.</summary>
public abstract class NameCaseTests(ScratchMode mode) : IDisposable
{
    private readonly StoreFixture _store = new(mode);

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void AChildInAnotherCaseReplacesAndDeletesWhatItMeans()
    {
        _store.Layer("base", [], "d:Windows", "f:Windows/win.ini=base", "f:Windows/notepad.exe=np", "f:Windows/keep.txt=k");
        _store.Layer("child", ["base"], "d:WINDOWS", "f:WINDOWS/WIN.INI=child", "w:Windows/NOTEPAD.EXE", "l:WINDOWS/link.ini=windows/keep.TXT");

        Assert.Equal(
            new Dictionary<string, string> { ["Windows"] = "/", ["Windows/keep.txt"] = "k", ["Windows/link.ini"] = "k", ["Windows/win.ini"] = "child" },
            StoreFixture.View(_store.Mount("s", "child", "base")));
    }

    [Fact]
    public void DirectoriesOfOneLayerThatDifferInCaseMerge()
    {
        _store.Layer("base", [], "d:Dir", "f:Dir/a=1", "d:DIR", "f:DIR/b=2");
        Assert.Equal(new Dictionary<string, string> { ["Dir"] = "/", ["Dir/a"] = "1", ["Dir/b"] = "2" }, StoreFixture.View(_store.Mount("s", "base")));
    }

    [Fact]
    public void FilesOfOneLayerThatDifferInCaseAreAnErrorNamingBoth()
    {
        var e = Assert.Throws<InvalidDataException>(() => _store.Layer("base", [], "f:a.txt=1", "f:A.txt=2"));
        Assert.Contains(@"Files\a.txt", e.Message, StringComparison.Ordinal);
        Assert.Contains(@"Files\A.txt", e.Message, StringComparison.Ordinal);
        Assert.False(_store.Store.LayerExists(_store.PathOf("base")));
    }

    [Fact]
    public void ADirectoryMadeInAnotherCaseInTheMountIsExportedUnderTheParentsSpelling()
    {
        _store.Layer("base", [], "d:Windows", "f:Windows/win.ini=base");
        string mount = _store.Mount("s", "base");
        Directory.CreateDirectory(Path.Combine(mount, "WINDOWS"));
        File.WriteAllText(Path.Combine(mount, "WINDOWS", "x.txt"), "x");
        File.WriteAllText(Path.Combine(mount, "Windows", "win.ini"), "changed");

        var names = new List<string>();
        using (ILayerReader reader = _store.Store.NewLayerReader(_store.PathOf("s"), [_store.PathOf("base")]))
        {
            while (reader.Next() is { } entry)
            {
                names.Add((entry.IsTombstone ? "-" : "+") + entry.Name);
            }
        }

        Assert.Equal(["+Files", @"+Files\Windows", @"+Files\Windows\win.ini", @"+Files\Windows\x.txt"], names);
    }

    [Fact]
    public void FilesSideBySideInTheMountThatDifferInCaseAreAnErrorNamingBoth()
    {
        _store.Layer("base", [], "f:a.txt=1");
        string mount = _store.Mount("s", "base");
        File.WriteAllText(Path.Combine(mount, "A.txt"), "2");

        var e = Assert.Throws<InvalidDataException>(() => _store.Store.NewLayerReader(_store.PathOf("s"), [_store.PathOf("base")]).Dispose());
        Assert.Contains("A.txt", e.Message, StringComparison.Ordinal);
        Assert.Contains("a.txt", e.Message, StringComparison.Ordinal);
    }
}
