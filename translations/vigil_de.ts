<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Navigation</name>
    <message>
        <location filename="../ui/shell/navigation_pages.cpp" line="9"/>
        <source>Dashboards</source>
        <translation>Dashboards</translation>
    </message>
    <message>
        <location filename="../ui/shell/navigation_pages.cpp" line="11"/>
        <source>Grafana-compatible dashboards will live here: the bundled Host overview, your own dashboards built by drag and drop on a 24-column grid, and dashboards imported from Grafana JSON.</source>
        <translation>Hier werden Grafana-kompatible Dashboards zu finden sein: die mitgelieferte Host-Übersicht, eigene Dashboards, per Drag and Drop auf einem 24-Spalten-Raster gebaut, und aus Grafana-JSON importierte Dashboards.</translation>
    </message>
    <message>
        <location filename="../ui/shell/navigation_pages.cpp" line="15"/>
        <source>Explore</source>
        <translation>Erkunden</translation>
    </message>
    <message>
        <location filename="../ui/shell/navigation_pages.cpp" line="16"/>
        <source>Ad-hoc PromQL will live here: a query editor with completion, a metrics browser with labels and help text, and graph and table results.</source>
        <translation>Hier werden Ad-hoc-PromQL-Abfragen zu finden sein: ein Abfrage-Editor mit Vervollständigung, ein Metrik-Browser mit Labels und Hilfetexten sowie Ergebnisse als Graph und Tabelle.</translation>
    </message>
    <message>
        <location filename="../ui/shell/navigation_pages.cpp" line="20"/>
        <source>Logs</source>
        <translation>Logs</translation>
    </message>
    <message>
        <location filename="../ui/shell/navigation_pages.cpp" line="21"/>
        <source>The live log viewer will live here: the system logs and your Promtail sources, tailed live and filtered with LogQL, coloured by level.</source>
        <translation>Hier wird der Live-Log-Viewer zu finden sein: die System-Logs und Ihre Promtail-Quellen, live verfolgt, mit LogQL gefiltert und nach Stufe eingefärbt.</translation>
    </message>
    <message>
        <location filename="../ui/shell/navigation_pages.cpp" line="25"/>
        <source>Alerts</source>
        <translation>Alarme</translation>
    </message>
    <message>
        <location filename="../ui/shell/navigation_pages.cpp" line="26"/>
        <source>Alerts will live here: firing and pending alerts by group, acknowledgements, silences and the notification history.</source>
        <translation>Hier werden Alarme zu finden sein: ausgelöste und anstehende Alarme nach Gruppe, Bestätigungen, Stummschaltungen und der Benachrichtigungsverlauf.</translation>
    </message>
    <message>
        <location filename="../ui/shell/navigation_pages.cpp" line="30"/>
        <source>Targets</source>
        <translation>Ziele</translation>
    </message>
    <message>
        <location filename="../ui/shell/navigation_pages.cpp" line="31"/>
        <source>Scrape targets will live here: each target&apos;s health, last scrape, duration and error, with its labels before and after relabeling.</source>
        <translation>Hier werden die Scrape-Ziele zu finden sein: Zustand, letzter Scrape, Dauer und Fehler jedes Ziels, mit seinen Labels vor und nach dem Relabeling.</translation>
    </message>
    <message>
        <location filename="../ui/shell/navigation_pages.cpp" line="35"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
</context>
<context>
    <name>vigil::ui::MainWindow</name>
    <message>
        <location filename="../ui/shell/main_window.cpp" line="36"/>
        <source>Vigil</source>
        <translation>Vigil</translation>
    </message>
    <message>
        <location filename="../ui/shell/main_window.cpp" line="89"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/shell/main_window.cpp" line="90"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/shell/main_window.cpp" line="94"/>
        <source>&amp;Go</source>
        <translation>&amp;Gehe zu</translation>
    </message>
    <message>
        <location filename="../ui/shell/main_window.cpp" line="105"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/shell/main_window.cpp" line="106"/>
        <source>&amp;About Vigil</source>
        <translation>Ü&amp;ber Vigil</translation>
    </message>
    <message>
        <location filename="../ui/shell/main_window.cpp" line="107"/>
        <source>About Vigil</source>
        <translation>Über Vigil</translation>
    </message>
    <message>
        <location filename="../ui/shell/main_window.cpp" line="108"/>
        <source>&lt;b&gt;Vigil %1&lt;/b&gt;&lt;p&gt;Metrics, alerts, dashboards and logs for your workstation, compatible with Prometheus, Alertmanager, Grafana and Loki.&lt;/p&gt;&lt;p&gt;Revision %2, Qt %3.&lt;/p&gt;</source>
        <translation>&lt;b&gt;Vigil %1&lt;/b&gt;&lt;p&gt;Metriken, Alarme, Dashboards und Logs für Ihren Arbeitsplatz, kompatibel mit Prometheus, Alertmanager, Grafana und Loki.&lt;/p&gt;&lt;p&gt;Revision %2, Qt %3.&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/shell/main_window.cpp" line="126"/>
        <source>Engine stopped</source>
        <translation>Engine angehalten</translation>
    </message>
    <message>
        <location filename="../ui/shell/main_window.cpp" line="127"/>
        <source>Engine running · listening on http://%1</source>
        <translation>Engine läuft · lauscht auf http://%1</translation>
    </message>
</context>
<context>
    <name>vigil::ui::PlannedPage</name>
    <message>
        <location filename="../ui/shell/planned_page.cpp" line="23"/>
        <source>Not available in this version of Vigil yet.</source>
        <translation>In dieser Version von Vigil noch nicht verfügbar.</translation>
    </message>
</context>
<context>
    <name>vigil::ui::SettingsPage</name>
    <message>
        <location filename="../ui/shell/settings_page.cpp" line="21"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location filename="../ui/shell/settings_page.cpp" line="35"/>
        <source>Configuration file:</source>
        <translation>Konfigurationsdatei:</translation>
    </message>
    <message>
        <location filename="../ui/shell/settings_page.cpp" line="36"/>
        <source>Data directory:</source>
        <translation>Datenverzeichnis:</translation>
    </message>
    <message>
        <location filename="../ui/shell/settings_page.cpp" line="37"/>
        <source>HTTP listener:</source>
        <translation>HTTP-Listener:</translation>
    </message>
    <message>
        <location filename="../ui/shell/settings_page.cpp" line="40"/>
        <source>Open configuration folder</source>
        <translation>Konfigurationsordner öffnen</translation>
    </message>
    <message>
        <location filename="../ui/shell/settings_page.cpp" line="47"/>
        <source>Engine services</source>
        <translation>Engine-Dienste</translation>
    </message>
    <message>
        <location filename="../ui/shell/settings_page.cpp" line="49"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/shell/settings_page.cpp" line="49"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../ui/shell/settings_page.cpp" line="49"/>
        <source>Detail</source>
        <translation>Detail</translation>
    </message>
    <message>
        <location filename="../ui/shell/settings_page.cpp" line="63"/>
        <source>not listening</source>
        <translation>lauscht nicht</translation>
    </message>
</context>
<context>
    <name>vigil::ui::TrayIcon</name>
    <message>
        <location filename="../ui/shell/tray_icon.cpp" line="15"/>
        <location filename="../ui/shell/tray_icon.cpp" line="54"/>
        <source>Hide Vigil</source>
        <translation>Vigil ausblenden</translation>
    </message>
    <message>
        <location filename="../ui/shell/tray_icon.cpp" line="18"/>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <location filename="../ui/shell/tray_icon.cpp" line="25"/>
        <source>Vigil</source>
        <translation>Vigil</translation>
    </message>
    <message>
        <location filename="../ui/shell/tray_icon.cpp" line="54"/>
        <source>Show Vigil</source>
        <translation>Vigil anzeigen</translation>
    </message>
</context>
</TS>
