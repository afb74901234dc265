using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Emperor.IntegrationTests.Dashboard;

/// <summary>
/// A real headless Chromium driven through chromedriver (Debian's <c>chromium</c> and <c>chromium-driver</c>, never
/// a download). Dispose quits the browser and its driver.
/// </summary>
internal sealed class Browser : IDisposable
{
    private Browser(ChromeDriver driver) => Driver = driver;

    public ChromeDriver Driver { get; }

    public static Browser Start()
    {
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,700", "--no-first-run");
        return new Browser(new ChromeDriver(service, options, TimeSpan.FromSeconds(60)));
    }

    /// <summary>The element's text, or null while it does not exist.</summary>
    public string? TextOf(By by)
    {
        var found = Driver.FindElements(by);
        try
        {
            return found.Count == 0 ? null : found[0].Text;
        }
        catch (StaleElementReferenceException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
