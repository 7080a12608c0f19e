namespace WcLayer.Tests.Hcs;

/// <summary>hcsshim's HcsError text (spec 3.1) and the HRESULT rule (spec 2.4).</summary>
public sealed class HcsErrorFormatTests
{
    [Theory]
    [InlineData("hcsshim::ActivateLayer", 0x80070003u, null, null, "hcsshim::ActivateLayer failed in Win32: The system cannot find the path specified. (0x3)")]
    [InlineData("hcsshim::GetLayerMountPath", 0x80070015u, null, "(first call)", "hcsshim::GetLayerMountPath failed in Win32: The device is not ready. (0x15) (first call)")]
    [InlineData("hcsshim::GetLayerMountPath", 0x80070015u, null, " (second call)", "hcsshim::GetLayerMountPath failed in Win32: The device is not ready. (0x15) (second call)")]
    [InlineData("hcsshim::ImportLayer", 0xC0370103u, null, null, "hcsshim::ImportLayer failed in Win32: winapi error #3224830211 (0xc0370103)")]
    [InlineData("hcsshim::ConvertToBaseLayer - failed", 0x8007001Fu, null, null, "hcsshim::ConvertToBaseLayer - failed failed in Win32: A device attached to the system is not functioning. (0x1f)")]
    [InlineData("title ", 0x80070005u, null, null, "title failed in Win32: Access is denied. (0x5)")]
    [InlineData("", 0x80070005u, null, null, "failed in Win32: Access is denied. (0x5)")]
    [InlineData("hcsshim::ImportLayer", 0x80070003u, @"C:\l\a", null, @"hcsshim::ImportLayer failed in Win32: The system cannot find the path specified. (0x3): C:\l\a")]
    public void Message_shapes(string title, uint hresult, string? path, string? detail, string expected)
    {
        var e = new HcsException(title, unchecked((int)hresult), path, detail);
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void A_win32_code_is_accepted_and_converted()
    {
        var e = new HcsException("op", Win32Error.AlreadyExists);
        Assert.Equal(unchecked((int)0x800700B7), e.HResult);
        Assert.Equal(183, e.ErrorCode);
        Assert.Equal("op failed in Win32: Cannot create a file when that file already exists. (0xb7)", e.Message);
    }

    [Theory]
    [InlineData(0x80070002u, 2)]
    [InlineData(0x80070003u, 3)]
    [InlineData(0x8007007Au, 122)]
    [InlineData(0xC0370103u, unchecked((int)0xC0370103))]
    [InlineData(0x80004005u, unchecked((int)0x80004005))]
    [InlineData(0xC0070002u, 2)]
    public void FromHResult_unwraps_facility_win32_only(uint hresult, int expected) =>
        Assert.Equal(expected, Win32Error.FromHResult(unchecked((int)hresult)));

    [Fact]
    public void Success_codes_are_not_errors() => Assert.Equal(1, Win32Error.FromHResult(1));

    [Fact]
    public void Lazy_load_messages_are_known()
    {
        Assert.Equal("The specified module could not be found.", Win32Error.GetMessage(Win32Error.ModNotFound));
        Assert.Equal("The specified procedure could not be found.", Win32Error.GetMessage(Win32Error.ProcNotFound));
    }

    [Fact]
    public void LayerStore_Default_off_windows_is_the_portable_store()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.IsType<WcLayer.Portable.PortableLayerStore>(LayerStore.Default);
    }
}
