// A CodeMirror 6 JSON editor themed with Mantine's CSS variables, so it
// follows the OS light/dark scheme like the rest of the app.

import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { json, jsonParseLinter } from '@codemirror/lang-json';
import {
  bracketMatching,
  foldGutter,
  foldKeymap,
  HighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { linter, lintGutter } from '@codemirror/lint';
import { EditorState, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { useEffect, useRef } from 'react';

const highlight = HighlightStyle.define([
  { tag: tags.propertyName, color: 'var(--mantine-color-blue-text)' },
  { tag: tags.string, color: 'var(--mantine-color-green-text)' },
  { tag: tags.number, color: 'var(--mantine-color-orange-text)' },
  { tag: [tags.bool, tags.null], color: 'var(--mantine-color-grape-text)' },
  { tag: [tags.brace, tags.squareBracket, tags.separator, tags.punctuation], color: 'var(--mantine-color-dimmed)' },
]);

const theme = EditorView.theme({
  '&': {
    fontSize: 'var(--mantine-font-size-sm)',
    backgroundColor: 'var(--mantine-color-body)',
    color: 'var(--mantine-color-text)',
    border: '1px solid var(--mantine-color-default-border)',
    borderRadius: 'var(--mantine-radius-md)',
    overflow: 'hidden',
  },
  '&.cm-focused': {
    outline: 'none',
    borderColor: 'var(--mantine-primary-color-filled)',
  },
  '.cm-scroller': {
    fontFamily: 'var(--mantine-font-family-monospace)',
    lineHeight: '1.55',
  },
  '.cm-content': { caretColor: 'var(--mantine-color-text)', padding: '6px 0' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--mantine-color-text)' },
  '.cm-gutters': {
    backgroundColor: 'var(--mantine-color-default-hover)',
    color: 'var(--mantine-color-dimmed)',
    borderRight: '1px solid var(--mantine-color-default-border)',
  },
  // The current line shows only while the editor has focus.
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'transparent' },
  '&.cm-focused .cm-activeLine': { backgroundColor: 'var(--mantine-color-default-hover)' },
  '&.cm-focused .cm-activeLineGutter': { backgroundColor: 'var(--mantine-primary-color-light)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--mantine-primary-color-light-hover)',
  },
  // Bracket matching, like the current line, only while editing.
  '.cm-matchingBracket, .cm-nonmatchingBracket': { backgroundColor: 'transparent' },
  '&.cm-focused .cm-matchingBracket': {
    backgroundColor: 'var(--mantine-primary-color-light)',
    outline: '1px solid var(--mantine-primary-color-light-hover)',
  },
  '&.cm-focused .cm-nonmatchingBracket': { backgroundColor: 'var(--mantine-color-red-light)' },
  '.cm-foldPlaceholder': {
    backgroundColor: 'var(--mantine-color-default-hover)',
    border: '1px solid var(--mantine-color-default-border)',
    color: 'var(--mantine-color-dimmed)',
  },
  '.cm-tooltip': {
    backgroundColor: 'var(--mantine-color-body)',
    border: '1px solid var(--mantine-color-default-border)',
    color: 'var(--mantine-color-text)',
  },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--mantine-color-red-filled)' },
});

export interface JsonEditorProps {
  value: string;
  onChange?: (value: string) => void;
  readOnly?: boolean;
  /** CSS height limits of the editor (it grows with its content in between). */
  minHeight?: number;
  maxHeight?: number;
  label: string;
  testId?: string;
}

/**
 * Uncontrolled at heart: the document is the editor's, `onChange` reports
 * each edit, and a new `value` that differs from the document replaces it
 * (a reload).
 */
export function JsonEditor({ value, onChange, readOnly = false, minHeight = 80, maxHeight = 360, label, testId }: JsonEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    const extensions: Extension[] = [
      lineNumbers(),
      foldGutter(),
      highlightActiveLineGutter(),
      drawSelection(),
      bracketMatching(),
      json(),
      syntaxHighlighting(highlight),
      theme,
      EditorView.theme({
        '&': { maxHeight: `${maxHeight}px` },
        '.cm-scroller': { overflow: 'auto' },
        '.cm-content, .cm-gutter': { minHeight: `${minHeight}px` },
      }),
      EditorView.contentAttributes.of({ 'aria-label': label }),
      EditorState.readOnly.of(readOnly),
      EditorView.editable.of(!readOnly),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onChangeRef.current?.(u.state.doc.toString());
      }),
    ];
    if (!readOnly) {
      extensions.push(
        history(),
        indentOnInput(),
        highlightActiveLine(),
        linter(jsonParseLinter(), { delay: 300 }),
        lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap, ...foldKeymap, indentWithTab]),
      );
    } else {
      extensions.push(keymap.of(foldKeymap));
    }
    const v = new EditorView({ parent: host.current!, state: EditorState.create({ doc: value, extensions }) });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once; `value` changes are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [readOnly, minHeight, maxHeight, label]);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div ref={host} data-testid={testId} data-json-editor="" />;
}

/** The CodeMirror view inside a `JsonEditor` element (tests and tools). */
export function editorViewOf(element: Element): EditorView | null {
  const dom = element.querySelector('.cm-editor');
  return dom ? EditorView.findFromDOM(dom as HTMLElement) : null;
}
