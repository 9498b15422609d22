#!/usr/bin/env python3
"""Regenerates the oracle fixtures of tst_go_template from the real tools.

Needs Debian bookworm's prometheus-alertmanager (0.25.0: amtool and
/usr/share/prometheus/alertmanager/*.tmpl) and prometheus (2.42.0: promtool).
Run from this directory: ./regenerate.py
  am_text_cases.json        amtool template render, one case per template text
  am_default_rendered.json  the default templates for firing.json/resolved.json
  prometheus_cases.json     promtool test rules, the cases as annotations
firing.json/resolved.json are the template.Data of the captured webhook
payloads in shared/conformance/alertmanager/payloads (02 and 05).
"""
import json, os, re, subprocess, tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
AM_TEMPLATES = '/usr/share/prometheus/alertmanager/*.tmpl'

# Template cases rendered by amtool 0.25 (Go text/template with Alertmanager's
# funcs, missingkey=zero) against firing.json.
cases = [
 # literals and printing
 '{{ "hello" }}', '{{ `raw\\n` }}', '{{ "esc\\t\\"q\\"\\u00e9\\x41\\101" }}', '{{ 42 }}', '{{ -7 }}', '{{ 3.5 }}', '{{ 1e3 }}',
 '{{ 0x1F }}', '{{ 0o17 }}', '{{ 1_000 }}', "{{ 'a' }}", '{{ true }}', '{{ false }}', '{{ 1e21 }}', '{{ 123456789.0 }}', '{{ 0.000001 }}',
 '{{/* a comment */}}x', 'a {{- " b " -}} c', 'a  {{- /* c */ -}}  b', '{{ "x" -}}\n\n  y', 'x\n  {{- 1 }}',
 # fields, methods, chains
 '{{ .Status }}', '{{ .Receiver }}', '{{ .GroupLabels.alertname }}', '{{ .GroupLabels.missing }}|', '{{ .CommonLabels.SortedPairs.Names }}',
 '{{ .CommonLabels.Values }}', '{{ .CommonLabels.Names }}', '{{ (.CommonLabels.Remove .GroupLabels.Names).Values }}',
 '{{ .CommonLabels.Remove (stringSlice "job" "severity") }}', '{{ range .GroupLabels.SortedPairs }}{{ .Name }}={{ .Value }};{{ end }}',
 '{{ len .Alerts }} {{ len .Alerts.Firing }} {{ len .Alerts.Resolved }}', '{{ (index .Alerts 1).Labels.instance }}',
 '{{ index .CommonLabels "job" }}|{{ index .CommonLabels "nope" }}|', '{{ (index .Alerts 0).Fingerprint }}',
 '{{ with index .Alerts 0 }}{{ .Labels.instance }} {{ .Status }}{{ end }}', '{{ .GroupLabels }}', '{{ .CommonAnnotations }}',
 '{{ (index .Alerts 0).StartsAt }}', '{{ (index .Alerts 0).EndsAt }}', '{{ (index .Alerts 0).StartsAt.Format "2006-01-02T15:04:05Z07:00 Mon Jan _2 3PM .000" }}',
 '{{ (index .Alerts 0).StartsAt.Unix }}', '{{ date "Jan 2, 2006 at 15:04 (MST)" (index .Alerts 0).StartsAt }}',
 '{{ (tz "Europe/Paris" (index .Alerts 0).StartsAt) }}', '{{ date "15:04 MST -07:00" (tz "America/New_York" (index .Alerts 0).StartsAt) }}',
 '{{ .Alerts.Firing }}', '{{ .GroupLabels.SortedPairs }}',
 # variables
 '{{ $x := 1 }}{{ $x }}{{ $x = 2 }}{{ $x }}', '{{ $ := . }}{{ $.Status }}', '{{ range $i, $a := .Alerts }}{{ $i }}:{{ $a.Labels.instance }} {{ end }}',
 '{{ range $a := .Alerts }}{{ $a.Status }}{{ end }}', '{{ $s := "" }}{{ range .Alerts }}{{ $s = printf "%s+%s" $s .Labels.instance }}{{ end }}{{ $s }}',
 '{{ range $k, $v := .CommonLabels }}{{ $k }}={{ $v }},{{ end }}', '{{ with $x := .Status }}{{ $x }}{{ end }}',
 '{{ range .Alerts }}{{ $.Receiver }}{{ end }}',
 # control flow
 '{{ if eq .Status "firing" }}F{{ else }}R{{ end }}', '{{ if eq .Status "x" }}1{{ else if eq .Status "firing" }}2{{ else }}3{{ end }}',
 '{{ if and .Status .Receiver }}yes{{ end }}', '{{ or "" 0 "z" }}', '{{ and 1 0 2 }}', '{{ and 1 2 }}', '{{ or 0 "" }}|', '{{ not .Status }}', '{{ not "" }}',
 '{{ with .GroupLabels.missing }}has{{ else }}none{{ end }}', '{{ with .GroupLabels.nope }}x{{ else with .Status }}{{ . }}{{ end }}',
 '{{ range .Alerts.Resolved }}x{{ else }}empty{{ end }}', '{{ range $i, $e := .Alerts }}{{ if $i }}, {{ end }}{{ $e.Labels.instance }}{{ end }}',
 '{{ range .Alerts }}{{ if eq .Labels.instance "db-1:9100" }}{{ continue }}{{ end }}{{ .Labels.instance }}{{ end }}',
 '{{ range .Alerts }}{{ .Labels.instance }}{{ break }}{{ end }}',
 '{{ range 3 }}{{ . }}{{ end }}',
 '{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" "arg" }}{{ template "x" }}', '{{ block "b" .Status }}<{{ . }}>{{ end }}',
 # comparisons
 '{{ eq 1 1 }} {{ eq 1 2 3 1 }} {{ ne "a" "b" }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt 3.5 1.5 }} {{ ge "b" "a" }}', '{{ eq .Status "firing" "resolved" }}',
 '{{ lt "a" "b" }}', '{{ eq nil nil }}',
 # builtins
 '{{ len "héllo" }}', '{{ index "abc" 1 }}', '{{ slice "abcdef" 1 3 }}', '{{ slice "abcdef" 2 }}', '{{ index (stringSlice "a" "b" "c") 2 }}',
 '{{ slice (stringSlice "a" "b" "c") 1 }}', '{{ print "a" "b" 1 2 "c" 3.5 true }}', '{{ println "a" 1 }}|', '{{ print nil }}', '{{ print }}|',
 '{{ html "<a href=\\"x\\">&\'</a>" }}', '{{ js "it\'s \\"q\\" <b> & = \\\\ \\n" }}', '{{ urlquery "a b&c=d/é?" }}', '{{ "<x>" | html }}',
 '{{ html 1 "a" 2 }}', '{{ urlquery .Receiver "x y" }}',
 # printf
 '{{ printf "%s|%d|%5d|%-5d|%05d|%x|%X|%o|%b|%c|%q|%U" "s" 42 42 42 -42 255 255 8 5 65 "q\\n" 65 }}',
 '{{ printf "%f|%.2f|%5.2f|%-8.3f|%e|%E|%g|%G|%.3g|%v|%+d|% d|%+.1f" 3.14159 3.14159 3.14159 3.14159 1234.5678 1234.5678 1234.5678 1e-7 1234.5678 0.1 5 5 2.25 }}',
 '{{ printf "%v %v %v %v" 1 "s" true 1.5 }}', '{{ printf "%d" "str" }}', '{{ printf "%s" 5 }}', '{{ printf "%d %d" 1 }}', '{{ printf "%d" 1 2 }}',
 '{{ printf "%%|%5s|%-5s|%.2s|%05s" "ab" "ab" "abcdef" "ab" }}', '{{ printf "%x %X" "hi" "hi" }}', '{{ printf "%t %v" true false }}',
 '{{ printf "%6.2f%%" 12.3456 }}', '{{ printf "%v" .GroupLabels }}', '{{ printf "%s" .CommonLabels.Values }}', '{{ printf "%q" .CommonLabels.Names }}',
 '{{ printf "%.0f %.1f %.1f" 2.5 0.25 0.35 }}', '{{ printf "%8.3e|%g|%g|%g" 123456.789 100000.0 1000000.0 0.0001 }}', '{{ printf "%*d|%-*d|" 5 1 4 2 }}',
 '{{ printf "%v|%s" .Alerts.Firing.Resolved (index .Alerts 0).EndsAt }}', '{{ printf "%d" 3.0 }}', '{{ printf "%f" 3 }}',
 '{{ printf "%z" 3 }}', '{{ printf "%!" }}', '{{ printf "%" }}', '{{ printf "%.3s" "héllo" }}', '{{ printf "%5.1f|%-7.2e|%+g" -2.345 1234.5 3.0 }}',
 # pipelines
 '{{ .Status | toUpper }}', '{{ "a,b" | printf "%s-%s" "x" }}', '{{ .CommonLabels.Values | join ", " }}', '{{ "  pad  " | trimSpace | printf "[%s]" }}',
 '{{ (print "a" "b") | len }}', '{{ title "hello wORLD foo_bar it\'s x.y 1st" }}', '{{ toLower "ÀBC" }}{{ toUpper "àbc ß" }}',
 '{{ match "^db-[0-9]" "db-1:9100" }} {{ match "x" "abc" }}', '{{ reReplaceAll "(\\\\w+):(\\\\d+)" "$2/$1/${1}x/$3/$$" "db-1:9100 h:1" }}',
 '{{ reReplaceAll "a*" "-" "baaac" }}', '{{ reReplaceAll "(?P<host>[a-z]+)" "<${host}>" "ab cd" }}', '{{ reReplaceAll "" "." "abc" }}',
 '{{ stringSlice "a" "b" }}', '{{ join "-" (stringSlice) }}|', '{{ humanizeDuration 3725 }} {{ humanizeDuration 0.0015 }} {{ humanizeDuration 90061.5 }} {{ humanizeDuration 0 }} {{ humanizeDuration 1.5 }} {{ humanizeDuration "60" }}',
 '{{ safeHtml "<b>" }}', '{{ (index .Alerts 0).Labels.SortedPairs.Values | join " " }}',
 # errors
 '{{ .Nope }}', '{{ .Status.Foo }}', '{{ nope }}', '{{ template "nope" }}', '{{ index .Alerts 5 }}', '{{ len 3 }}', '{{ lt 1 "a" }}', '{{ eq 1 "a" }}',
 '{{ if }}x{{ end }}', '{{ if .Status }}x', '{{ end }}', '{{ else }}', '{{ $y }}', '{{ .Status | 1 }}', '{{ "unterminated }}', '{{ range .Status }}{{ end }}',
 '{{ 3 4 }}', '{{ (1 }}', '{{ .Status ) }}', '{{ printf }}', '{{ toUpper 1 }}', '{{ toUpper "a" "b" }}', '{{ break }}', '{{ .Receiver.x.y }}',
 'line1\n{{ .Status }}\n  {{ .Missing }}', '{{ "a" | .Status }}', '{{ nil }}', '{{ reReplaceAll "(" "x" "y" }}', '{{ define "x" }}{{ end }}{{ define "x" }}a{{ end }}{{ define "x" }}b{{ end }}',
 '{{ 1 | not }}', '{{ . | len }}', '{{ $x := 1 }}{{ $x.foo }}', '{{ $.Alerts.Firing.Foo }}', '{{ (index .Alerts 0).Labels.Remove }}', '{{ 0x }}', '{{ 1a }}', '{{ .Status' ,
 '{{ slice "abc" 2 1 }}', '{{ index nil 1 }}', '{{ `unterminated }}', '{{ "\\q" }}', '{{ with }}{{ end }}', '{{ range $i, $e, $x := .Alerts }}{{ end }}',
 '{{ true.foo }}', '{{ .Status := 1 }}', '{{ $x := }}', '{{ | }}', '{{ . . }}', '{{ .Alerts.Firing 1 }}', '{{ .GroupLabels.alertname 1 }}', '{{ 1.foo }}',
]
cases += [
 '{{ .Status | }}', '{{ define "x" }}\n{{ .A | }}{{ end }}ok', '{{ if .Status }}\n\n', '{{ $undefined = 1 }}',
 '{{ printf "%d|%s|%x" (stringSlice "a") (stringSlice "a" "b") (stringSlice "hi") }}', '{{ printf "%q" .GroupLabels }}', '{{ printf "%5v|%-4v|" .GroupLabels.Names "ab" }}',
 '{{ match "(" "x" }}', '{{ reReplaceAll "a{2,1}" "x" "y" }}', '{{ reReplaceAll "\\\\8" "x" "y" }}', '{{ reReplaceAll "[a" "x" "y" }}', '{{ reReplaceAll "a**" "x" "y" }}',
 '{{ printf "%12v|%-6v|" (stringSlice "a" "b") 1.5 }}', '{{ .Alerts.Firing.Foo }}', '{{ $x := .Status }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}',
 '{{ range $i, $e := .Alerts }}{{ end }}{{ $i }}', '{{ with $v := "w" }}{{ $v }}{{ end }}', '{{ range .Alerts }}{{ .Labels.instance | printf "%q" }}{{ end }}',
 '{{ (index .Alerts 0).Annotations.summary }}', '{{ "a" | eq "a" }}', '{{ .Receiver | len | printf "%03d" }}', '{{ template "__subject" . }}',
 '{{- /* comment */ -}}', '{{ "\\u263A" }}{{ printf "%c%U" 9786 9786 }}', '{{ print 1.0 2.5e-10 -0.0 }}', '{{ printf "%v %.3v %10.4v" 3.14159 3.14159 3.14159 }}',
 '{{ printf "%08.3f|%+08d|%-08d|%x|%X|%#x|%#o" -3.14159 42 42 -255 3735928559 255 8 }}', '{{ printf "%e|%.0e|%g" 0.0 12345.0 1e100 }}',
]


# Features newer than Go 1.19 / Alertmanager 0.25 (tested separately).
DROP = ['date "Jan', '(tz "Europe', 'date "15:04', 'trimSpace', 'humanizeDuration 3725', '{{ range 3 }}', 'else with',
        '{{ template "__subject" . }}']
# Vigil's documented differences from Go in error wording.
DIVERGENT = {
    '{{ toUpper 1 }}': (
        'template: :1:3: executing "" at <toUpper 1>: error calling toUpper: wrong type for value; expected string; got int',
        'Go checks argument types against the Go function signature before the call; Vigil functions check their own '
        'arguments, so the message names the call'),
    '{{ (index .Alerts 0).Labels.Remove }}': (
        'template: :1:20: executing "" at <(index .Alerts 0).Labels.Remove>: wrong number of args for Remove: want 1 got 0',
        'Go reports this at the last evaluated node (the constant 0); Vigil names the method call'),
}

prom_cases = [
 '{{ $value }}', '{{ $labels.instance }}', '{{ $labels.nope }}|', '{{ $externalLabels.nope }}|', '{{ .Value }}', '{{ $externalURL }}',
 '{{ humanize 1234567.0 }}', '{{ humanize 0.0012345 }}', '{{ humanize 0 }}', '{{ humanize -1500 }}', '{{ humanize 1e30 }}', '{{ humanize "2048" }}', '{{ humanize 999.95 }}',
 '{{ humanize 1 }}', '{{ humanize 0.5 }}', '{{ humanize 1e-30 }}', '{{ $value | humanize }}',
 '{{ humanize1024 1048576.0 }}', '{{ humanize1024 1 }}', '{{ humanize1024 0.5 }}', '{{ humanize1024 123456789012 }}', '{{ humanize1024 -2048 }}',
 '{{ humanizeDuration 3725 }}', '{{ humanizeDuration 0.0015 }}', '{{ humanizeDuration 90061.5 }}', '{{ humanizeDuration 0 }}', '{{ humanizeDuration 1.5 }}',
 '{{ humanizeDuration "60" }}', '{{ humanizeDuration -3725 }}', '{{ humanizeDuration 59.999 }}', '{{ humanizeDuration 0.000000123 }}',
 '{{ humanizePercentage 0.1234 }}', '{{ humanizePercentage 1 }}', '{{ humanizePercentage "0.5" }}',
 '{{ humanizeTimestamp 1435065584.128 }}', '{{ humanizeTimestamp 0 }}', '{{ humanizeTimestamp 1714557600 }}', '{{ humanizeTimestamp -1.5 }}',
 '{{ (toTime 1435065584.128).Format "2006-01-02" }}', '{{ toTime 1714557600 }}',
 '{{ title "hello wORLD foo_bar it\'s x.y 1st" }}', '{{ toUpper "abc" }}{{ toLower "ABC" }}',
 '{{ reReplaceAll "(\\\\w+):(\\\\d+)" "$2/$1" "db-1:9100" }}', '{{ match "^db" "db-1" }}', '{{ graphLink "rate(x[5m]) > 1" }}', '{{ tableLink "up == 0" }}',
 '{{ stripPort "db-1.example.com:9100" }}|{{ stripPort "[::1]:80" }}|{{ stripPort "nohost" }}', '{{ stripDomain "db-1.example.com:9100" }}|{{ stripDomain "db-1.example.com" }}|{{ stripDomain "10.0.0.1:80" }}|{{ stripDomain "[::1]:80" }}',
 '{{ parseDuration "1h30m" }}', '{{ parseDuration "1d" }}', '{{ parseDuration "500ms" }}', '{{ safeHtml "<b>" }}',
 '{{ (args 1 "x").arg1 }}', '{{ with args "a" 2 }}{{ .arg0 }}{{ .arg1 }}{{ end }}',
 '{{ query "up" | len }}', '{{ range query "up" | sortByLabel "instance" }}{{ .Labels.instance }}={{ .Value }};{{ end }}', '{{ with query "up{instance=\\"b\\"}" }}{{ . | first | value }}{{ end }}',
 '{{ range query "up" | sortByLabel "instance" }}{{ label "instance" . }} {{ end }}', '{{ (query "up" | first).Labels.job }}',
 '{{ query "nosuchmetric" | first }}', '{{ strvalue (query "up" | first) }}|', '{{ query "up{" }}', '{{ pathPrefix }}|{{ externalURL }}',
 '{{ printf "%.2f" $value }}', '{{ $value | printf "%.1f%%" }}', '{{ if gt $value 100.0 }}big{{ end }}',
]



def amtool(text, data, glob, kind='text'):
    return subprocess.run(['amtool', 'template', 'render', '--template.glob=' + glob, '--template.data=' + data,
                           '--template.type=' + kind, '--template.text=' + text], capture_output=True, text=True)


def am_text_cases(empty_glob):
    out = []
    for c in cases:
        if any(d in c for d in DROP):
            continue
        p = amtool(c, os.path.join(HERE, 'firing.json'), empty_glob)
        if p.returncode == 0:
            o = {'template': c, 'output': p.stdout}
        else:
            err = p.stderr.strip()
            assert err.startswith('amtool: error: '), err
            o = {'template': c, 'error': err[len('amtool: error: '):]}
        if c in DIVERGENT:
            o['vigil_error'], o['why'] = DIVERGENT[c]
        out.append(o)
    return out


def am_default_rendered():
    names = ['slack.default.title', 'slack.default.username', 'slack.default.fallback', 'slack.default.titlelink',
             'slack.default.text', 'slack.default.pretext', 'slack.default.footer', 'slack.default.callbackid',
             'email.default.subject', 'pagerduty.default.description', 'pagerduty.default.client',
             'pagerduty.default.clientURL', 'discord.default.title', 'discord.default.message',
             'opsgenie.default.message', 'opsgenie.default.description', 'opsgenie.default.source',
             'wechat.default.message', 'victorops.default.state_message', 'pushover.default.message',
             'sns.default.message', 'telegram.default.message', 'webex.default.message', '__text_alert_list']
    res = {}
    for d in ['firing', 'resolved']:
        for n in names:
            arg = '.Alerts' if n == '__text_alert_list' else '.'
            p = amtool('{{ template "%s" %s }}' % (n, arg), os.path.join(HERE, d + '.json'), AM_TEMPLATES)
            assert p.returncode == 0, p.stderr
            res.setdefault(d, {})[n] = p.stdout
    return res


def prometheus_cases(tmp):
    ann = {('c%03d' % i): c for i, c in enumerate(prom_cases)}
    rules = {'groups': [{'name': 'g', 'rules': [{'alert': 'T', 'expr': 'disk_usage > 0', 'labels': {'severity': 'warn'},
                                                  'annotations': ann}]}]}
    with open(os.path.join(tmp, 'rules.yml'), 'w') as f:
        yaml.safe_dump(rules, f, allow_unicode=True)
    test = {'rule_files': ['rules.yml'], 'evaluation_interval': '1m', 'tests': [{'interval': '1m', 'input_series': [
        {'series': 'disk_usage{job="node",instance="db-1.example.com:9100"}', 'values': '1234.5678x3'},
        {'series': 'up{job="api",instance="b"}', 'values': '1x3'},
        {'series': 'up{job="api",instance="a"}', 'values': '0x3'}],
        'alert_rule_test': [{'eval_time': '2m', 'alertname': 'T', 'exp_alerts': [
            {'exp_labels': {'severity': 'warn', 'job': 'node', 'instance': 'db-1.example.com:9100'},
             'exp_annotations': {}}]}]}]}
    with open(os.path.join(tmp, 'test.yml'), 'w') as f:
        yaml.safe_dump(test, f, allow_unicode=True)
    p = subprocess.run(['promtool', 'test', 'rules', 'test.yml'], capture_output=True, text=True, cwd=tmp)
    got = (p.stdout + p.stderr)
    got = got[got.index('got:['):]
    body = re.search(r'Annotations:\{(.*)\}\s*\]', got, re.S).group(1)
    vals = {k: json.loads('"' + v + '"') for k, v in re.findall(r'(c\d{3})="((?:[^"\\]|\\.)*)"', body)}
    out = []
    for i, c in enumerate(prom_cases):
        v = vals['c%03d' % i]
        if v.startswith('<error expanding template: '):
            out.append({'template': c, 'error': v[len('<error expanding template: '):-1]})
        else:
            out.append({'template': c, 'output': v})
    return out


def main():
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, 'empty.tmpl')
        open(empty, 'w').write('')
        for name, value in [('am_text_cases.json', am_text_cases(empty)),
                            ('am_default_rendered.json', am_default_rendered()),
                            ('prometheus_cases.json', prometheus_cases(tmp))]:
            with open(os.path.join(HERE, name), 'w') as f:
                json.dump(value, f, indent=1, ensure_ascii=False)


if __name__ == '__main__':
    main()
