using WcLayer.Hcs;

namespace WcLayer.Tests.Hcs;

/// <summary>Go's filepath.Join and Clean on Windows (Go 1.22), which build every path hcsshim hands to native code.</summary>
public sealed class LayerPathTests
{
    [Theory]
    [InlineData(@"\\?\C:\x\", "UtilityVM", @"\\?\C:\x\UtilityVM")]
    [InlineData(@"\\?\C:\x", "UtilityVM", @"\\?\C:\x\UtilityVM")]
    [InlineData(@"C:\l\s", "sandbox.vhdx", @"C:\l\s\sandbox.vhdx")]
    [InlineData(@"C:\l\s\\", "sandbox.vhdx", @"C:\l\s\sandbox.vhdx")]
    [InlineData(@"C:\l\.\x\..\s", "sandbox.vhdx", @"C:\l\s\sandbox.vhdx")]
    [InlineData(@"C:/l/s/", "UtilityVM", @"C:\l\s\UtilityVM")]
    [InlineData(@"\\server\share\", "l", @"\\server\share\l")]
    [InlineData(@"\\?\UNC\server\share\l\", "UtilityVM", @"\\?\UNC\server\share\l\UtilityVM")]
    [InlineData(@"\\?\C:\", "..", @"\\?\C:\")]
    [InlineData(@"C:\", @"\x", @"C:\x")]
    [InlineData("C:", "f", "C:f")]
    [InlineData("a/b", "c", @"a\b\c")]
    [InlineData("a", @"..\..\b", @"..\b")]
    [InlineData("", "b", "b")]
    [InlineData("", "", "")]
    [InlineData("/tmp/layer/", "UtilityVM", @"\tmp\layer\UtilityVM")]
    public void Join_is_gos_filepath_Join(string first, string second, string expected) =>
        Assert.Equal(expected, LayerPath.Join(first, second));

    [Theory]
    [InlineData(@"\\?\C:\", @"\\?\C:\")]
    [InlineData(@"C:\", @"C:\")]
    [InlineData("C:", "C:.")]
    [InlineData(@"\\server\share", @"\\server\share")]
    [InlineData(@"C:\a\\b\.\c\..\", @"C:\a\b")]
    [InlineData(@"\..\a", @"\a")]
    [InlineData(".", ".")]
    public void Clean_is_gos_filepath_Clean(string path, string expected) => Assert.Equal(expected, LayerPath.Clean(path));

    [Theory]
    [InlineData(@"C:\ProgramData\docker\windowsfilter\abc", "abc")]
    [InlineData(@"C:\l\x\", "")]
    [InlineData(@"\\?\C:\l\x", "x")]
    [InlineData(@"\\server\share", "")]
    [InlineData("C:x", "x")]
    public void BaseName_is_gos_filepath_Split(string path, string expected) => Assert.Equal(expected, LayerPath.BaseName(path));
}
